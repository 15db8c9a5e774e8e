// A real OpenID Provider on loopback for the FranceConnect tests (docs/franceconnect.md):
// npm's oidc-provider, configured as FranceConnect v2 behaves for a service provider — a static
// confidential client, ES256 signatures (and an RS256 key in the set), the identité pivot's
// claims as scopes, acr eidas1, and a signed userinfo (application/jwt).
//
//   node provider.mjs --redirect-uri URI [--port N] [--client-id ID] [--client-secret S]
//                     [--auth-method client_secret_post|client_secret_basic] [--alg ES256|RS256]
//
// Listens on 127.0.0.1, on port N or (without it, or 0) a free one, and prints "listening PORT"
// on stdout once it accepts connections; the issuer is http://127.0.0.1:PORT. Signing keys are
// made fresh at every start: restarting on the same port is the provider rotating its keys.
//
// What a test drives without a browser, on the same port (never part of a provider):
//   POST /_test/browse {"url", "account"|"cancel": true}
//       plays the resident's browser from the authorization URL that budgetd redirected to:
//       follows the provider's redirects with a cookie jar, finishes the login interaction as
//       `account` (or as a refusal, error=access_denied), grants the consent, and answers
//       {"callback": the redirect_uri with code and state (or error and state)}.
//   POST /_test/login {"account"|"cancel": true}
//       the same login for the next interaction, for a real browser that follows the
//       redirects itself (tests/browser/franceconnect.test.mjs).
//   POST /_test/forge {"mode"}
//       FORGES the next token responses' ID token, for the cases a conforming provider never
//       produces: "none" (alg none, no signature), "bad-signature" (one bit of the signature
//       flipped), "wrong-audience" and "wrong-nonce" (the claim changed, re-signed with the
//       provider's own key, so that only that check can fail), "off" (genuine tokens again).
import crypto from 'node:crypto';
import http from 'node:http';
import Provider from 'oidc-provider';

const args = Object.fromEntries(process.argv.slice(2).reduce((pairs, arg, i, all) => {
  if (arg.startsWith('--')) pairs.push([arg.slice(2), all[i + 1]]);
  return pairs;
}, []));
const port = Number(args.port || 0);
const clientId = args['client-id'] || 'budget-citoyen';
const clientSecret = args['client-secret'] || 'test-client-secret-of-32-characters';
const redirectUri = args['redirect-uri'];
const authMethod = args['auth-method'] || 'client_secret_post';
const alg = args.alg || 'ES256';
if (!redirectUri) {
  console.error('usage: provider.mjs --redirect-uri URI [--port N]');
  process.exit(2);
}
// The port first (a free one when not given): the issuer names it.
const server = http.createServer();
await new Promise((resolve, reject) => {
  server.once('error', reject);
  server.listen(port, '127.0.0.1', resolve);
});
const issuer = `http://127.0.0.1:${server.address().port}`;

// --- keys: fresh at each start ------------------------------------------------------------------
function newKey(type) {
  const { privateKey } = type === 'EC'
    ? crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' })
    : crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = privateKey.export({ format: 'jwk' });
  return { ...jwk, kid: `${type.toLowerCase()}-${crypto.randomBytes(6).toString('hex')}`, use: 'sig', alg: type === 'EC' ? 'ES256' : 'RS256' };
}
const ecKey = newKey('EC');
const rsaKey = newKey('RSA');

// --- fixture accounts: FranceConnect's identité pivot --------------------------------------------
function yearsAgo(years, days = 30) {
  const d = new Date();
  d.setUTCFullYear(d.getUTCFullYear() - years);
  d.setUTCDate(d.getUTCDate() - days);
  return d.toISOString().slice(0, 10);
}
const accounts = {
  angela: {
    given_name: 'Angela Claire Louise', family_name: 'DUBOIS', preferred_username: '',
    birthdate: '1962-08-24', gender: 'female', birthplace: '75107', birthcountry: '99100',
  },
  teen: {
    given_name: 'Lucas', family_name: 'MARTIN', preferred_username: '',
    birthdate: yearsAgo(15), gender: 'male', birthplace: '62041', birthcountry: '99100',
  },
  child: {
    given_name: 'Léa', family_name: 'MARTIN', preferred_username: '',
    birthdate: yearsAgo(8), gender: 'female', birthplace: '62041', birthcountry: '99100',
  },
};
const subjects = Object.fromEntries(Object.keys(accounts).map((id) => [id, crypto.createHash('sha256').update(`fc:${id}`).digest('hex')]));
const accountOf = Object.fromEntries(Object.entries(subjects).map(([id, sub]) => [sub, id]));

const pivot = ['given_name', 'family_name', 'preferred_username', 'birthdate', 'gender', 'birthplace', 'birthcountry'];
const provider = new Provider(issuer, {
  clients: [{
    client_id: clientId,
    client_secret: clientSecret,
    redirect_uris: [redirectUri],
    response_types: ['code'],
    grant_types: ['authorization_code'],
    token_endpoint_auth_method: authMethod,
    id_token_signed_response_alg: alg,
    userinfo_signed_response_alg: alg,
  }],
  jwks: { keys: [ecKey, rsaKey] },
  // FranceConnect names a scope after each claim of the identité pivot.
  claims: { openid: ['sub'], ...Object.fromEntries(pivot.map((c) => [c, [c]])) },
  scopes: ['openid', ...pivot],
  acrValues: ['eidas1', 'eidas2', 'eidas3'],
  features: {
    devInteractions: { enabled: false },
    userinfo: { enabled: true },
    jwtUserinfo: { enabled: true },
  },
  enabledJWA: {
    idTokenSigningAlgValues: ['ES256', 'RS256'],
    userinfoSigningAlgValues: ['ES256', 'RS256'],
  },
  pkce: { required: () => true },
  cookies: { keys: [crypto.randomBytes(16).toString('hex')] },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  async findAccount(ctx, sub) {
    const id = accountOf[sub];
    if (!id) return undefined;
    return { accountId: sub, claims: async () => ({ sub, ...accounts[id] }) };
  },
});
provider.on('server_error', (ctx, err) => console.error('server_error', err));

// --- the test's controls ------------------------------------------------------------------------
let nextLogin = null;  // { account } or { cancel: true }, for the interaction the browse drives
let forgeMode = 'off';

const b64url = (buf) => Buffer.from(buf).toString('base64url');
const privateKeyOf = (jwk) => crypto.createPrivateKey({ key: jwk, format: 'jwk' });

function resign(token, change) {
  const [h, p] = token.split('.');
  const header = JSON.parse(Buffer.from(h, 'base64url'));
  const payload = JSON.parse(Buffer.from(p, 'base64url'));
  change(payload);
  const jwk = header.kid === rsaKey.kid ? rsaKey : ecKey;
  const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`;
  const signature = crypto.sign('sha256', Buffer.from(input), jwk.kty === 'EC'
    ? { key: privateKeyOf(jwk), dsaEncoding: 'ieee-p1363' }
    : privateKeyOf(jwk));
  return `${input}.${b64url(signature)}`;
}

function forge(token) {
  const [h, p, s] = token.split('.');
  switch (forgeMode) {
    case 'none': {
      const header = { ...JSON.parse(Buffer.from(h, 'base64url')), alg: 'none' };
      return `${b64url(JSON.stringify(header))}.${p}.`;
    }
    case 'bad-signature': {
      const sig = Buffer.from(s, 'base64url');
      sig[sig.length - 1] ^= 1;
      return `${h}.${p}.${b64url(sig)}`;
    }
    case 'wrong-audience':
      return resign(token, (payload) => { payload.aud = 'another-service'; });
    case 'wrong-nonce':
      return resign(token, (payload) => { payload.nonce = 'forged-nonce'; });
    default:
      return token;
  }
}

async function readJson(ctx) {
  const chunks = [];
  for await (const chunk of ctx.req) chunks.push(chunk);
  return JSON.parse(Buffer.concat(chunks).toString() || '{}');
}

// The resident's browser at the provider: redirects followed with a cookie jar, up to the
// redirect_uri (never followed: the test takes it to budgetd itself).
async function browse(url) {
  const jar = new Map();
  for (let hops = 0; hops < 20; hops++) {
    if (url.startsWith(redirectUri)) return url;
    const res = await fetch(url, {
      redirect: 'manual',
      headers: { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') },
    });
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const at = pair.indexOf('=');
      jar.set(pair.slice(0, at), pair.slice(at + 1));
    }
    const location = res.headers.get('location');
    if (!location) throw new Error(`the provider answered ${res.status} without a redirect: ${await res.text()}`);
    url = new URL(location, url).toString();
  }
  throw new Error('too many redirects');
}

provider.use(async (ctx, next) => {
  if (ctx.path === '/_test/browse' && ctx.method === 'POST') {
    const body = await readJson(ctx);
    nextLogin = body.cancel ? { cancel: true } : { account: body.account };
    try {
      ctx.body = { callback: await browse(body.url) };
    } catch (err) {
      ctx.status = 500;
      ctx.body = { error: String(err) };
    }
    return;
  }
  if (ctx.path === '/_test/login' && ctx.method === 'POST') {
    // For a real browser (tests/browser/franceconnect.test.mjs): who the next interaction
    // logs in, the browser following every redirect itself.
    const body = await readJson(ctx);
    nextLogin = body.cancel ? { cancel: true } : { account: body.account };
    ctx.body = { next: nextLogin };
    return;
  }
  if (ctx.path === '/_test/forge' && ctx.method === 'POST') {
    forgeMode = (await readJson(ctx)).mode || 'off';
    ctx.body = { mode: forgeMode };
    return;
  }
  const interaction = ctx.path.match(/^\/interaction\/([^/]+)$/);
  if (interaction && ctx.method === 'GET') {
    const details = await provider.interactionDetails(ctx.req, ctx.res);
    let result;
    if (!nextLogin || nextLogin.cancel) {
      result = { error: 'access_denied', error_description: 'L’usager a annulé.' };
    } else if (details.prompt.name === 'login') {
      const sub = subjects[nextLogin.account];
      if (!sub) throw new Error(`no fixture account ${nextLogin.account}`);
      result = { login: { accountId: sub, acr: 'eidas1', amr: ['pwd'] } };
    } else {
      const grant = details.grantId
        ? await provider.Grant.find(details.grantId)
        : new provider.Grant({ accountId: details.session.accountId, clientId: details.params.client_id });
      const missing = details.prompt.details;
      if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
      if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
      result = { consent: { grantId: await grant.save() } };
    }
    const returnTo = await provider.interactionResult(ctx.req, ctx.res, result, { mergeWithLastSubmission: true });
    ctx.redirect(returnTo);
    return;
  }
  await next();
  if (ctx.path === '/token' && ctx.method === 'POST' && ctx.status === 200 && forgeMode !== 'off'
      && ctx.body && ctx.body.id_token) {
    ctx.body = { ...ctx.body, id_token: forge(ctx.body.id_token) };
  }
});

server.on('request', provider.callback());
console.log(`listening ${server.address().port}`);
process.on('SIGTERM', () => server.close(() => process.exit(0)));
