// One campaign from labelling to publication, budgetd restarted between phases with other vote
// dates (as an operator would change the dates of a real campaign), on its embedded redis-server
// whose AOF in the data directory carries the campaign from one phase to the next.
import fs from 'node:fs';
import path from 'node:path';
import {
  StaffClient, budgetctl, freePort, isoFromNow, repoRoot, startBudgetd, tempDir, writeConfig,
} from './harness.mjs';

const HOUR = 3600 * 1000;

export const staffUsers = {
  committee: [
    { username: 'camille', password: 'mot-de-passe-camille' },
    { username: 'dominique', password: 'mot-de-passe-dominique' },
    { username: 'eliott', password: 'mot-de-passe-eliott' },
  ],
  mission: { username: 'mission', password: 'mot-de-passe-mission' },
};

export class Campaign {
  /** `ballotShards`: the [redis] ballot_shards of every phase (the log split into journals);
   *  `extraToml(campaign)`: sections added to every phase's config (its ports are known then);
   *  `withCall`: every phase has a call for initiatives ([campaign] call_opens, call_closes),
   *  open in the `call` phase only. */
  constructor({ ballotShards = 1, extraToml = () => '', withCall = false } = {}) {
    this.ballotShards = ballotShards;
    this.extraToml = extraToml;
    this.withCall = withCall;
    this.dir = tempDir();
    this.server = null;
    this.port = 0;
    this.redirectPort = 0;
    this.outbox = path.join(this.dir, 'outbox.jsonl');
    this.questionnaire = null;
  }

  get base() { return this.server.base; }

  /** The keys, the staff accounts and the demo initiatives, budgetd running in `phase`. */
  async init({ phase = 'labelling' } = {}) {
    this.port = await freePort();
    this.redirectPort = await freePort();
    this.config = this.phaseConfig(phase);
    budgetctl(this.config, ['keys', 'init']);
    // budgetctl reaches the embedded Redis through budgetd's socket: budgetd runs first.
    await this.start(phase);
    for (const u of staffUsers.committee) {
      budgetctl(this.config, ['user', 'add', '--role', 'committee', '--username', u.username], `${u.password}\n`);
    }
    const m = staffUsers.mission;
    budgetctl(this.config, ['user', 'add', '--role', 'mission', '--username', m.username], `${m.password}\n`);
    budgetctl(this.config, ['initiatives', 'import', path.join(repoRoot, 'config/demo-initiatives.json')]);
  }

  /** The config of a phase: call (the call for initiatives open now, vote in 2 hours),
   *  labelling (vote in an hour), voting (open now), closed (ended). The call, when the campaign
   *  has one, ends before the vote opens and is closed in every phase but `call`. */
  phaseConfig(phase) {
    const dates = {
      call: [isoFromNow(2 * HOUR), isoFromNow(3 * HOUR), isoFromNow(-HOUR), isoFromNow(HOUR)],
      labelling: [isoFromNow(HOUR), isoFromNow(2 * HOUR), isoFromNow(-3 * HOUR), isoFromNow(-HOUR)],
      voting: [isoFromNow(-HOUR), isoFromNow(HOUR), isoFromNow(-4 * HOUR), isoFromNow(-2 * HOUR)],
      closed: [isoFromNow(-2 * HOUR), isoFromNow(-2000), isoFromNow(-5 * HOUR), isoFromNow(-3 * HOUR)],
    }[phase];
    const call = this.withCall || phase === 'call' ? { callOpens: dates[2], callCloses: dates[3] } : {};
    return writeConfig(this.dir, {
      listenPort: this.port, redirectPort: this.redirectPort, voteOpens: dates[0], voteCloses: dates[1], name: `${phase}.toml`,
      ballotShards: this.ballotShards, extraToml: this.extraToml(this), ...call,
    });
  }

  async start(phase) {
    if (this.server) await this.server.stop();
    this.phase = phase;
    this.config = this.phaseConfig(phase);
    this.server = await startBudgetd(this.config, this.port, path.join(this.dir, 'budgetd.log'));
    return this.server;
  }

  staff(username) {
    const all = [...staffUsers.committee, staffUsers.mission];
    const u = all.find((x) => x.username === username);
    return new StaffClient(this.base).login(u.username, u.password);
  }

  async loadQuestionnaire() {
    const c = await this.staff('camille');
    this.questionnaire = (await c.call('GET', '/api/v1/admin/questionnaire')).json;
    return this.questionnaire;
  }

  /** Every question answered with `value` (0..4). */
  answersAll(value) {
    const answers = {};
    for (const m of this.questionnaire.markers) for (const q of m.questions) answers[q.id] = value;
    return answers;
  }

  /** Reviewers evaluate and the last one decides, all through the API. */
  async review(id, reviewers, value, decision) {
    let last;
    for (const name of reviewers) {
      last = await this.staff(name);
      const r = await last.call('PUT', `/api/v1/admin/initiatives/${id}/evaluation`, { answers: this.answersAll(value) });
      if (r.status !== 200) throw new Error(`evaluation ${id} by ${name}: ${r.status} ${r.text}`);
    }
    if (decision) {
      const r = await last.call('POST', `/api/v1/admin/initiatives/${id}/decision`, decision);
      if (r.status !== 200) throw new Error(`decision ${id}: ${r.status} ${r.text}`);
    }
  }

  async stop() {
    if (this.server) await this.server.stop();
    if (!process.env.BUDGET_KEEP_TEST_DIRS) fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
