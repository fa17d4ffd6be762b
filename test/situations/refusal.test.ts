import t from 'tap';
import { isRefusal, refusalsIn } from '../../src/situations/refusal.js';
import { websiteIn } from '../../src/situations/website.js';

t.test('refusals per topic, with the words and any web address', async (t) => {
  t.same(refusalsIn("We don't give prices over the phone.", 'hours'), [
    { topic: 'pricing', words: "We don't give prices over the phone." },
  ]);
  t.same(refusalsIn("it's all on our website iron temple gym dot com slash prices", 'pricing'), [
    {
      topic: 'pricing',
      words: "it's all on our website iron temple gym dot com slash prices",
      website: 'irontemplegym.com/prices',
    },
  ]);
  t.same(refusalsIn("You'd have to come in for that.", 'classes'), [
    { topic: 'classes', words: "You'd have to come in for that." },
  ]);
  t.same(refusalsIn("We can't give out pricing, but we're open six to ten.", 'pricing'), [
    { topic: 'pricing', words: "We can't give out pricing, but we're open six to ten." },
  ]);
  const both = 'The class schedule and the prices are on the website, IronTemple.com/classes.';
  t.same(refusalsIn(both, undefined), [
    { topic: 'pricing', words: both, website: 'irontemple.com/classes' },
    { topic: 'classes', words: both, website: 'irontemple.com/classes' },
  ]);
  // A refusal that names nothing refuses the question asked; with no question, nothing.
  t.same(refusalsIn("I'm not allowed to give that out.", undefined), []);
  t.same(refusalsIn('check our website', 'hours'), [{ topic: 'hours', words: 'check our website' }]);
});

t.test('answers are not refusals', async (t) => {
  for (const s of [
    'we are open six to ten',
    'memberships are twenty nine a month, you can sign up on the website too',
    'come in any time we are open all day',
    'we have yoga on the phone app schedule',
    'our website has a new look',
  ])
    t.notOk(isRefusal(s), s);
  for (const s of [
    "we don't quote rates on the phone",
    'you need to come in for a tour to get prices',
    'that is all online',
    "sorry we're not able to give that over the phone",
    'only in person',
  ])
    t.ok(isRefusal(s), s);
});

t.test('web addresses as said and as written', async (t) => {
  const cases: [string, string | undefined][] = [
    ['go to iron temple dot com', 'irontemple.com'],
    ['w w w dot iron temple fitness dot co dot uk slash join', 'www.irontemplefitness.co.uk/join'],
    ['visit gym dot com slash prices', 'gym.com/prices'],
    ['check out https://www.IronTemple.com/Prices.', 'www.irontemple.com/prices'],
    ['our site is iron temple dot fit forward slash class dash schedule', 'irontemple.fit/class-schedule'],
    ['prices are on the website', undefined],
    ['we open at five dot', undefined],
    // Spanish: "punto" for the dot, "guion" for the dash, "diagonal" or "barra" for the slash; its countries' domains.
    ['está todo en nuestra página web gimnasio toro punto com', 'gimnasiotoro.com'],
    ['visite w w w punto gimnasio toro punto com punto mx diagonal precios', 'www.gimnasiotoro.com.mx/precios'],
    ['el sitio es toro fit punto es barra horario guion de guion clases', 'torofit.es/horario-de-clases'],
    ['Está en GimnasioToro.com.mx/precios.', 'gimnasiotoro.com.mx/precios'],
    ['abrimos a las seis punto', undefined],
    ['punto com', undefined],
  ];
  for (const [text, want] of cases) t.equal(websiteIn(text), want, text);
});

t.test('Spanish refusals, per topic; a Spanish answer is none', async (t) => {
  t.same(refusalsIn('No damos precios por teléfono.', 'hours'), [
    { topic: 'pricing', words: 'No damos precios por teléfono.' },
  ]);
  t.same(refusalsIn('Está todo en nuestra página web.', 'classes'), [
    { topic: 'classes', words: 'Está todo en nuestra página web.' },
  ]);
  t.same(refusalsIn('Tendría que venir en persona, pero abrimos a las seis.', 'pricing'), [
    { topic: 'pricing', words: 'Tendría que venir en persona, pero abrimos a las seis.' },
  ]);
  for (const s of [
    'Abrimos de lunes a viernes.',
    'La membresía cuesta cuarenta dólares.',
    'Tenemos yoga por la tarde.',
  ])
    t.notOk(isRefusal(s), s);
});
