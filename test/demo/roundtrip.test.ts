import t from 'tap';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ReceptionistBrain } from '../../src/demo/brain.js';
import { loadPersona, type Persona } from '../../src/demo/persona.js';
import { emptyFacts, mergeFacts, type GymFacts } from '../../src/facts/model.js';
import { parseFacts } from '../../src/facts/parse.js';
import { normaliseFacts } from '../../src/db/normalise.js';
import { expectedFacts, scoreFacts } from '../../src/demo/score.js';
import { repoPath } from '../support/repo.js';

// What the receptionist says must be understood by the offline fact parser (the agent's side), for every
// shipped persona: text in → parser → the persona's facts. (Audio recognition errors come on top of this in
// the scenario suite; this isolates the wording.)

async function personas(): Promise<Persona[]> {
  const dir = repoPath('scenarios') + '/';
  const files = (await readdir(dir)).filter((f) => f.endsWith('.json'));
  return Promise.all(files.map((f) => loadPersona(join(dir, f))));
}

t.test('every persona answer parses back to its facts', async (t) => {
  for (const p of await personas()) {
    const b = new ReceptionistBrain({ ...p, behaviour: { ...p.behaviour, silentOnceMs: 0, hangUpAfterTurn: null } });
    let facts: GymFacts = emptyFacts();
    for (const q of ['what are your opening hours', 'how much is a membership', 'which classes do you offer']) {
      // In the language she speaks (a Spanish persona's answers are read as Spanish, as the agent of her call does).
      for (const a of b.onAgentUtterance(q))
        if (a.type === 'say') facts = mergeFacts(facts, parseFacts(a.text, p.language));
    }
    const score = scoreFacts(expectedFacts(p), normaliseFacts(facts));
    t.equal(score.correct, score.total, `${p.name}: ${score.correct}/${score.total} ${score.wrong.join('; ')}`);
  }
});
