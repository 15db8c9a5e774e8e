// A throw-away campaign for looking at the pages by hand:
//   BUILD_DIR=build node tests/browser/support/dev-campaign.mjs [labelling|voting|closed|published]
// Starts redis-server and budgetd on free ports, staff accounts (see scenario.mjs), the demo
// initiatives, three of them labelled, a few ballots; prints the URL; Ctrl-C stops everything.
import { voteThroughApi } from './harness.mjs';
import { Campaign } from './scenario.mjs';

const target = process.argv[2] || 'voting';
const c = new Campaign();
await c.init();
await c.start('labelling');
await c.loadQuestionnaire();
const labelled = ['ressourcerie-arras', 'epicerie-solidaire-bethune', 'tiers-lieu-saint-omer', 'velos-boulonnais'];
await c.review(labelled[0], ['camille', 'dominique', 'eliott'], 3, { decision: 'label', category: 'transformation' });
await c.review(labelled[1], ['camille', 'dominique', 'eliott'], 4, { decision: 'label', category: 'pratique_ess' });
await c.review(labelled[2], ['camille', 'dominique', 'eliott'], 3, { decision: 'label', category: 'innovation_societale' });
await c.review(labelled[3], ['dominique', 'eliott'], 2, null);
if (target !== 'labelling') {
  await c.start('voting');
  const people = [
    ['Alice', 'Martin', '1980-03-02', '62041', [labelled[0], labelled[1]]],
    ['Bruno', 'Lefebvre', '1975-11-20', '62119', [labelled[1]]],
    ['Chloé', 'Dubois', '2001-06-15', '62765', [labelled[2], labelled[0], labelled[1]]],
  ];
  for (const [first, last, birth, commune, choices] of people) {
    const email = `${first.toLowerCase()}@exemple.fr`.normalize('NFD').replace(/[\u0300-\u036f]/g, '');
    const r = await voteThroughApi(c.base, c.outbox, { email, first_name: first, last_name: last, birth_date: birth, commune }, choices);
    console.log(`${first}: ${JSON.stringify({ ...r, choices })}`);
  }
  if (target !== 'voting') {
    await c.start('closed');
    if (target === 'published') {
      const m = await c.staff('mission');
      console.log((await m.call('POST', '/api/v1/admin/tally', { rule: 'greedy' })).status);
      console.log((await m.call('POST', '/api/v1/admin/publish')).status);
    }
  }
}
console.log(`${c.base}/  (phase ${target}; outbox ${c.outbox}; Ctrl-C to stop)`);
const stop = async () => { await c.stop(); process.exit(0); };
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
setInterval(() => {}, 1 << 30);
