import t from 'tap';
import { optionSentence, type MenuNode } from '../../src/demo/flow-schema.js';
import { menuSentences, MenuVisit } from '../../src/demo/flow.js';
import { parsePersona } from '../../src/demo/persona.js';

// The gym's phone tree as decisions: a key leads on, a wrong key is "sorry" then the options again, silence
// replays them, and a menu gives up after its plays (where the loop persona sends the agent round and round).

function menu(extra: Partial<MenuNode> = {}): MenuNode {
  const p = parsePersona({
    name: 'm',
    gym: { name: 'Gym', phone: '+12015550198' },
    facts: {},
    flow: {
      start: 'main',
      nodes: {
        main: {
          kind: 'menu',
          intro: 'Thank you for calling.',
          options: [
            { key: '1', label: 'billing', to: 'desk' },
            { key: '2', label: 'membership', order: 'key-first', to: 'desk' },
          ],
          unlisted: [{ key: '0', to: 'desk' }],
          plays: 2,
          ...extra,
        },
        desk: { kind: 'person' },
      },
    },
  });
  const m = p.flow?.nodes.main;
  if (m?.kind !== 'menu') throw new Error('no menu');
  return m;
}

t.test('options are said in both orders, the intro only on the first play', async (t) => {
  const m = menu();
  t.same(menuSentences(m, true, optionSentence), [
    'Thank you for calling.',
    'For billing, press one.',
    'Press two for membership.',
  ]);
  t.same(menuSentences(m, false, optionSentence), ['For billing, press one.', 'Press two for membership.']);
  t.equal(optionSentence({ key: '#', label: 'the directory', order: 'key-first' }), 'Press pound for the directory.');
});

t.test('a listed key and an unlisted 0 lead on', async (t) => {
  const v = new MenuVisit(menu());
  v.played();
  t.same(v.onKey('2'), { type: 'go', to: 'desk', key: '2' });
  t.same(v.onKey('0'), { type: 'go', to: 'desk', key: '0' });
});

t.test('a wrong key is "sorry" until the plays run out; silence replays, then gives up', async (t) => {
  const v = new MenuVisit(menu({ timeout: 'desk' }));
  v.played();
  t.same(v.onKey('7'), { type: 'invalid', key: '7' });
  t.same(v.onSilence(), { type: 'replay' });
  v.played();
  t.same(v.onSilence(), { type: 'give-up', to: 'desk' });
  t.same(v.onKey('7'), { type: 'give-up', to: 'desk' });
  t.equal(v.plays, 2);
});
