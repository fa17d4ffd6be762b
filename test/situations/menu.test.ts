import t from 'tap';
import { isMenuPrompt, parseMenu, type MenuOption } from '../../src/situations/menu.js';
import { chooseOption, explainChoice } from '../../src/situations/menu-choice.js';
import { isInvalidEntry, isMenuRepeat, menuAgrees, menuFingerprint } from '../../src/situations/menu-memory.js';

const opts = (...pairs: [string, string][]): MenuOption[] =>
  pairs.map(([key, label]) => ({ key, label }) as MenuOption);

t.test('menus in both orders, digits and number words, with and without punctuation', async (t) => {
  const cases: [string, MenuOption[]][] = [
    ['Press 2 for membership.', opts(['2', 'membership'])],
    ['For membership, press 2.', opts(['2', 'membership'])],
    ['for membership press two', opts(['2', 'membership'])],
    [
      'thank you for calling iron temple fitness for class schedules press one for membership press two for the front desk press three',
      opts(['1', 'class schedules'], ['2', 'membership'], ['3', 'front desk']),
    ],
    [
      'Thank you for calling Iron Temple. Press 1 for hours and directions. Press 2 for membership. For all other inquiries, press 0.',
      opts(['1', 'hours and directions'], ['2', 'membership'], ['0', 'all other inquiries']),
    ],
    [
      'press one for hours press two for membership press zero to speak to a representative',
      opts(['1', 'hours'], ['2', 'membership'], ['0', 'speak to a representative']),
    ],
    ['For membership, say membership or press 2.', opts(['2', 'membership'])],
    ['For billing, say or press 3.', opts(['3', 'billing'])],
    [
      'To repeat this menu, press star. For the front desk press pound.',
      opts(['*', 'repeat this menu'], ['#', 'front desk']),
    ],
    ['To repeat this menu press *.', opts(['*', 'repeat this menu'])],
    ['press to for membership press for for billing', opts(['2', 'membership'], ['4', 'billing'])],
    ['if you are a new member press the number 5', opts(['5', 'new member'])],
    ['please select option 3 for personal training', opts(['3', 'personal training'])],
    ["if you know your party's extension dial it now for membership press two", opts(['2', 'membership'])],
    ['press one for sales or stay on the line for the next available associate', opts(['1', 'sales'])],
    // Heard up to the next option's words: their key is still to come, the labels keep their own keys.
    [
      'thank you for calling the gym for billing press one for careers press two for directions press three for memberships',
      opts(['1', 'billing'], ['2', 'careers'], ['3', 'directions']),
    ],
    ['for the front desk press one for billing', opts(['1', 'front desk'])],
    // Words before the first key that are no option's: key first after all.
    ['to better serve you press one for billing press two for membership', opts(['1', 'billing'], ['2', 'membership'])],
  ];
  for (const [text, want] of cases) t.same(parseMenu(text).options, want, text);
});

t.test('no options in plain speech, extensions and times', async (t) => {
  for (const s of [
    "If you know your party's extension, dial it now.",
    'dial extension 104 for Mike',
    'we open at five and close at ten',
    'hi this is Sarah at the front desk how can I help',
    'press on with your questions',
  ])
    t.same(parseMenu(s).options, [], s);
  t.equal(parseMenu("If you know your party's extension, dial it now.").extensionPrompt, true);
  t.equal(isMenuPrompt("If you know your party's extension, dial it now."), true);
  t.equal(isMenuPrompt('we are open until ten tonight'), false);
  t.equal(parseMenu('press 1 for sales or stay on the line').stayOnLine, true);
  t.equal(parseMenu('press 1 for sales').stayOnLine, false);
});

t.test('the choice reaches a person who can answer, ranked and explained', async (t) => {
  const m = parseMenu(
    'Press 1 for billing. Press 2 for hours and directions. Press 3 for membership. Press 4 for the front desk. To repeat, press star.',
  );
  const c = chooseOption(m);
  t.equal(c.option?.key, '4');
  t.equal(c.decisive, true);
  t.same(
    c.ranked.map((r) => `${r.key}:${r.concept}`),
    ['4:front-desk', '3:membership', '2:information', '1:billing', '*:repeat'],
  );
  t.equal(
    explainChoice(c),
    '4 for front desk (front-desk: the front desk answers hours, prices and classes); next 3 (membership)',
  );
  // 0 with no label is the operator; "all other inquiries" beats a recording.
  t.equal(chooseOption(parseMenu('press one for hours press zero')).option?.key, '0');
  t.equal(chooseOption(parseMenu('for hours press 1 for all other inquiries press 0')).option?.key, '0');
  t.equal(chooseOption(parseMenu('press 1 for hours press 2 for all other inquiries')).decisive, false);
  // Tried keys go last; nothing reachable leaves the option undefined.
  t.equal(chooseOption(m, ['4']).option?.key, '3');
  const none = chooseOption(parseMenu('press 1 for billing press 9 for spanish press star to repeat this menu'));
  t.equal(none.option, undefined);
  t.equal(explainChoice(none), 'no option reaches a person (1: billing, 9: language, *: repeat)');
  t.equal(chooseOption(parseMenu('for cancellations press 1 to cancel your membership press 2')).option, undefined);
});

t.test('a label-first option whose "for" was lost, one key, a stray word after it', async (t) => {
  // "For member services, press 2." heard by the offline recogniser.
  const m = parseMenu('per member services press two you');
  t.same(m.options, [{ key: '2', label: 'per member services' }]);
  t.ok(m.ambiguous, 'the order was guessed: wait for the menu to end');
  t.same(m.otherReading, [{ key: '2', label: 'you' }]);
  t.equal(chooseOption(m).option?.key, '2');
  // Key first still wins where the words after the key are the label.
  t.same(parseMenu('thank you for calling press two for membership').options, [{ key: '2', label: 'membership' }]);
  t.same(parseMenu('one moment press two membership').options, [{ key: '2', label: 'membership' }]);
});

t.test('a key-first option whose verb was lost keeps its own key', async (t) => {
  // "Press one for personal training. Press two for the front desk." through the phone band, offline.
  const m = parseMenu("press one for personal trainer name can't to for the front desk");
  t.same(m.options, [
    { key: '1', label: "personal trainer name can't" },
    { key: '2', label: 'front desk' },
  ]);
  t.equal(chooseOption(m).option?.key, '2');
  // Only after an option heard in key-first order, and never a key the menu names already.
  t.same(parseMenu('two for the front desk').options, []);
  t.same(parseMenu('press two for sales one for you press one for billing').options, [
    { key: '2', label: 'sales one for you' },
    { key: '1', label: 'billing' },
  ]);
});

t.test('real menus: language first, member services, "by pressing zero at any time"', async (t) => {
  t.equal(chooseOption(parseMenu('Para español, oprima nueve. For English, press 1.')).option?.key, '1');
  t.equal(chooseOption(parseMenu('For Spanish press 9. For English press 1.')).ranked[0]?.concept, 'english');
  const members = chooseOption(parseMenu('if you are an existing member press three for membership sales press two'));
  t.same(
    members.ranked.map((r) => `${r.key}:${r.concept}`),
    ['2:membership', '3:member-services'],
  );
  // Words on both sides of the one key: the side that names a kind of option is its label.
  t.same(parseMenu('you can also reach the operator by pressing zero at any time').options, [
    { key: '0', label: 'you can also reach the operator by' },
  ]);
  t.equal(chooseOption(parseMenu('you can also reach us by pressing zero at any time')).option?.key, '0');
});

t.test('fingerprint: robust to misheard labels, checks a remembered path', async (t) => {
  const a = parseMenu('press one for hours press two for memberships press zero for the operator').options;
  const b = parseMenu('press 1 for our hours. Press 2 for membership sales. Press 0 to speak to an operator.').options;
  t.equal(menuFingerprint(a), '0=operator|1=information|2=membership');
  t.equal(menuFingerprint(b), menuFingerprint(a));
  t.equal(menuFingerprint(opts(['3', 'kids club'])), '3=kid');
  const fp = menuFingerprint(a);
  // The menu's first option, leading where it led: the same menu, its remembered key can be typed ahead.
  t.equal(menuAgrees(fp, '2', opts(['1', 'hours']), false), 'same');
  t.equal(menuAgrees(fp, '2', opts(['1', 'hours'], ['2', 'membership']), false), 'same');
  t.equal(menuAgrees(fp, '2', opts(['1', 'billing'], ['2', 'membership']), false), 'different');
  t.equal(menuAgrees(fp, '2', opts(['1', 'hours']), true), 'different', 'a finished menu without the key');
  // Labels the recogniser made nothing of neither agree nor contradict.
  t.equal(menuAgrees(fp, '2', opts(['1', 'daily line']), false), 'unknown');
  t.equal(menuAgrees(fp, '2', opts(['1', 'daily line'], ['2', 'membership']), false), 'same');
  t.equal(menuAgrees(menuFingerprint(opts(['1', 'barre years'])), '1', opts(['1', 'careers']), false), 'unknown');
});

t.test('loops and invalid entries', async (t) => {
  const a = opts(['1', 'hours'], ['2', 'membership'], ['3', 'billing'], ['0', 'operator']);
  t.equal(isMenuRepeat(a, opts(['1', 'hours'], ['2', 'member ship'], ['3', 'billing'], ['0', 'operator'])), true);
  t.equal(isMenuRepeat(a, opts(['1', 'hours'], ['2', 'membership'], ['3', 'billing'], ['0', 'tours'])), true);
  t.equal(isMenuRepeat(a, opts(['1', 'yoga'], ['2', 'spin'])), false);
  t.equal(isMenuRepeat([], a), false);
  for (const s of [
    "Sorry, I didn't get that.",
    'sorry i did not understand your selection',
    'That is not a valid option. Please try again.',
    'invalid entry',
    'Your entry was not recognized.',
    'Opción no válida. Por favor, intente de nuevo.',
    'No se reconoce su selección.',
    'Esa no es una opción válida.',
    'intentelo nuevamente',
  ])
    t.ok(isInvalidEntry(s), s);
  for (const s of [
    'sorry we are closed on sundays',
    'I did not get the price list yet',
    'try our yoga class',
    'la opción más popular es la mensual',
    'intente venir en la mañana',
  ])
    t.notOk(isInvalidEntry(s), s);
});

t.test('keys the recogniser misheard are put back where the menu counts', async (t) => {
  // "for billing press one" heard as "or billing press two line": two options claim 2, the count says 1 and 2.
  t.same(
    parseMenu(
      'or billing press two line or barre years press two you for directions press three a for memberships press four',
    ).options,
    opts(['1', 'billing'], ['2', 'line or barre years'], ['3', 'you for directions'], ['4', 'memberships']),
  );
  t.same(
    parseMenu('press two for billing press two for membership press three for directions').options,
    opts(['1', 'billing'], ['2', 'membership'], ['3', 'directions']),
  );
  // The second of two: "press three" heard as "press two".
  t.same(
    parseMenu('press one for hours press two for classes press two for the front desk press four for billing').options,
    opts(['1', 'hours'], ['2', 'classes'], ['3', 'front desk'], ['4', 'billing']),
  );
  // No counted key fits between 3 and 4: the out-of-order option is the operator's 0 ("press zero" heard as two).
  t.same(
    parseMenu(
      'press one for billing press two for sales press three for careers press two for the front desk press four for services',
    ).options,
    opts(['1', 'billing'], ['2', 'sales'], ['3', 'careers'], ['0', 'front desk'], ['4', 'services']),
  );
  // A menu heard twice, misheard differently each time, is two plays of the same keys, not new options.
  const twice = parseMenu(
    'press two for billing press two for careers press three for directions press two for daily press two for careers press three for directions',
  ).options;
  t.same(
    twice.map((o) => o.key),
    ['1', '2', '3'],
  );
  // Keys said once each are left as heard, in any order.
  t.same(parseMenu('press five for sales press one for billing').options, opts(['5', 'sales'], ['1', 'billing']));
  // "Thank you for calling Peak Fitness. For billing, press 1. For membership and sales, press 2. Press 3 for
  // careers." as flite's voice comes through the offline recogniser: "say" without "or" is a misheard word, not
  // the spoken alternative, and its "billing" keeps the label-first reading (2 is membership, not 1).
  const heard = parseMenu(
    'and give for calling to eight say noon on billing press one for membership and sales press two you press three for careers',
  ).options;
  t.match(heard.find((o) => o.key === '2')?.label, /membership/);
  t.match(heard.find((o) => o.key === '1')?.label, /billing/);
});

t.test('an option whose words name nothing known waits until 0 was tried', async (t) => {
  const m = parseMenu('for directions press one for all day our press two');
  t.equal(chooseOption(m).option, undefined, 'the machine tries 0 first');
  t.equal(chooseOption(m, ['0']).option?.key, '2', 'then the unknown option');
  // A known option is pressed as before, and an unlabelled 0 is the operator.
  t.equal(chooseOption(parseMenu('for all day our press one for the front desk press two')).option?.key, '2');
  t.equal(chooseOption(parseMenu('for all day our press one or press zero')).option?.key, '0');
});

t.test('a menu whose words fit both orders is pressed only once it has finished', async (t) => {
  // A label-first menu heard by the offline recogniser up to its last label, its key still to come: "for billing"
  // heard "on billing", so key first fits too and would press 3 (directions) for memberships.
  const cut =
    'and give for calling is can on billing press one or barre years press two you for directions press three a for memberships';
  const heard = parseMenu(cut);
  t.ok(heard.ambiguous);
  t.equal(chooseOption(heard).decisive, false, 'nothing pressed while the menu may still be speaking');
  const whole = parseMenu(`${cut} press four`);
  t.notOk(whole.ambiguous, 'the key after the last label settles the order');
  t.equal(chooseOption(whole).option?.key, '4');
  for (const clear of [
    'Press 1 for billing. Press 2 for membership.',
    'For billing, press 1. For membership, press 2.',
  ]) {
    const m = parseMenu(clear);
    t.notOk(m.ambiguous, clear);
    t.ok(chooseOption(m).decisive, `${clear}: membership pressed at once`);
  }
});

t.test(
  'Spanish menus in both orders; a Spanish call takes the Spanish menu, an English call the English one',
  async (t) => {
    const cases: [string, MenuOption[]][] = [
      ['Para membresías, marque 2.', opts(['2', 'membresias'])],
      ['marque dos para membresias', opts(['2', 'membresias'])],
      [
        'Gracias por llamar a Gimnasio Fuerza. Para clases, marque 1. Para membresías, oprima 2. Para hablar con la recepción, marque 3.',
        opts(['1', 'clases'], ['2', 'membresias'], ['3', 'hablar con la recepcion']),
      ],
      [
        'Marque uno para facturación, marque dos para hablar con un asesor, o permanezca en la línea.',
        opts(['1', 'facturacion'], ['2', 'hablar con un asesor']),
      ],
    ];
    for (const [text, want] of cases) t.same(parseMenu(text).options, want, text);
    const fuerza = parseMenu(cases[2]![0]);
    t.equal(chooseOption(fuerza, [], 'es').option?.key, '3', 'the front desk');
    t.equal(chooseOption(parseMenu(cases[3]![0]), [], 'es').option?.key, '2', 'an advisor is a person');
    const both = parseMenu('For English, press 1. Para español, marque 2.');
    t.equal(chooseOption(both).option?.key, '1', 'an English call: English');
    t.equal(chooseOption(both, [], 'es').option?.key, '2', 'a Spanish call: español');
    t.notOk(isMenuPrompt('Abrimos de lunes a viernes de seis a diez, y los sábados de ocho a dos.'));
  },
);
