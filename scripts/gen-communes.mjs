// Extracts the communes of one département from the official list (@etalab/decoupage-administratif)
// with their EPCI, so that nobody hand-types INSEE codes. Usage: node gen-communes.mjs 62 OUT.json
import { createRequire } from 'node:module';
import { writeFileSync } from 'node:fs';
import path from 'node:path';

const [dep, out] = process.argv.slice(2);
if (!dep || !out) {
  console.error('usage: gen-communes.mjs DEPARTEMENT OUT.json');
  process.exit(2);
}
const require = createRequire(path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', 'package.json'));
const communes = require('@etalab/decoupage-administratif/data/communes.json');
const epcis = require('@etalab/decoupage-administratif/data/epci.json');
const epciOf = new Map();
for (const e of epcis) for (const m of e.membres) epciOf.set(m.code, { code: e.code, nom: e.nom });

const list = communes
  .filter((c) => c.departement === dep && c.type === 'commune-actuelle')
  .map((c) => ({
    code: c.code,
    nom: c.nom,
    codes_postaux: c.codesPostaux ?? [],
    population: c.population ?? 0,
    epci: epciOf.get(c.code)?.code ?? '',
    epci_nom: epciOf.get(c.code)?.nom ?? '',
  }))
  .sort((a, b) => a.code.localeCompare(b.code));
if (list.length === 0) {
  console.error(`gen-communes: no commune found for département ${dep}`);
  process.exit(1);
}
writeFileSync(out, JSON.stringify({ departement: dep, source: '@etalab/decoupage-administratif', communes: list }));
console.log(`gen-communes: ${list.length} communes of ${dep} -> ${out}`);
