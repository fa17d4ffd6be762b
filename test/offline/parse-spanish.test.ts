import t from 'tap';
import { matches, type Expect } from './facts-expect.js';
import { parseUtterance } from '../../src/facts/parse.js';
import { spanishTokens } from '../../src/facts/spanish.js';

// The fact parser on Spanish answers, written the way receptionists in Mexico, Spain and the US say them: with and
// without accents (recognisers and people drop them), in words and in the digits a cloud recogniser writes.

const CASES: [string, Expect][] = [
  // Hours.
  ['De lunes a viernes de seis de la mañana a diez de la noche.', { hours: 'mon-fri 06:00-22:00' }],
  ['de lunes a viernes de seis de la manana a diez de la noche', { hours: 'mon-fri 06:00-22:00' }],
  ['Abrimos de lunes a viernes de 6 a 22 horas.', { hours: 'mon-fri 06:00-22:00' }],
  ['Sábados y domingos de ocho a dos de la tarde.', { hours: 'sat,sun 08:00-14:00' }],
  ['sabados y domingos de 8:00 a 14:00', { hours: 'sat,sun 08:00-14:00' }],
  ['Los fines de semana abrimos a las siete y cerramos a las tres.', { hours: 'sat,sun 07:00-15:00' }],
  ['Todos los días de siete y media de la mañana a nueve de la noche.', { hours: 'all 07:30-21:00' }],
  ['Estamos abiertos las 24 horas.', { hours: 'all 24h' }],
  ['abrimos las veinticuatro horas', { hours: 'all 24h' }],
  ['Los domingos cerramos.', { hours: 'sun closed' }],
  ['El domingo está cerrado.', { hours: 'sun closed' }],
  [
    'De lunes a viernes de cinco de la mañana a once de la noche, y los domingos cerrado.',
    { hours: 'mon-fri 05:00-23:00; sun closed' },
  ],
  ['Entre semana de seis a diez, el sábado de ocho a mediodía.', { hours: 'mon-fri 06:00-22:00; sat 08:00-12:00' }],
  ['Los sábados a las 7 de la mañana hasta la una de la tarde.', { hours: 'sat 07:00-13:00' }],
  ['De lunes a jueves de seis menos cuarto a diez y cuarto.', { hours: 'mon-thu 05:45-22:15' }],
  ['de martes a sábado de 9 a 21', { hours: 'tue-sat 09:00-21:00' }],
  ['Todos los días de seis a medianoche.', { hours: 'all 06:00-24:00' }],
  // Prices.
  ['Cuarenta y nueve dólares al mes.', { pricing: '49/month' }],
  ['cuarenta y nueve dolares al mes', { pricing: '49/month' }],
  ['La membresía cuesta 39,99 € al mes.', { pricing: '39.99/month' }],
  ['La mensualidad es de treinta y nueve con noventa y nueve.', { pricing: '39.99/month' }],
  ['El plan anual sale en cuatrocientos noventa y nueve dólares al año.', { pricing: '499/year' }],
  ['Ciento veinte pesos por clase.', { pricing: '120/visit' }],
  ['El pase diario cuesta quince dólares.', { pricing: '15/day' }],
  [
    'El plan básico cuesta treinta dólares al mes y el premium sesenta dólares al mes.',
    { pricing: '30/month basic, 60/month premium' },
  ],
  ['Para estudiantes son veinticinco euros al mes.', { pricing: '25/month student' }],
  ['La inscripción son cincuenta dólares.', { pricing: '50/once' }],
  ['Mil doscientos pesos al año.', { pricing: '1200/year' }],
  // Classes.
  ['Tenemos yoga, pilates y spinning.', { classes: ['yoga', 'pilates', 'spin'] }],
  ['Ofrecemos boxeo, zumba y baile.', { classes: ['boxing', 'zumba', 'dance'] }],
  [
    'Hay clases de ciclismo indoor, aquaeróbics y entrenamiento de fuerza.',
    {
      classes: ['cycling', 'aqua aerobics', 'strength'],
    },
  ],
  ['Tenemos crossfit y artes marciales, pero no tenemos zumba.', { classes: ['crossfit', 'martial arts'] }],
  ['Clases de taichí y meditación.', { classes: ['tai chi', 'meditation'] }],
];

t.test('Spanish answers: hours, prices, classes', async (t) => {
  for (const [text, exp] of CASES) {
    const r = matches(text, exp, 'es');
    t.ok(r.ok, text, { got: r.got, tokens: spanishTokens(text).join(' ') });
  }
});

t.test('currencies as said: dólares, euros (word or sign), pesos', async (t) => {
  const currency = (text: string) => parseUtterance(text, 'es').facts.pricing?.map((p) => p.currency);
  t.same(currency('cuarenta y nueve dólares al mes'), ['USD']);
  t.same(currency('39,99 € al mes'), ['EUR']);
  t.same(currency('treinta euros al mes'), ['EUR']);
  t.same(currency('quinientos pesos al mes'), ['MXN']);
});

t.test('yes, no and goodbye in Spanish; English text is not read as Spanish', async (t) => {
  t.ok(parseUtterance('Sí, claro.', 'es').yes);
  t.ok(parseUtterance('No, ya no.', 'es').no);
  t.ok(parseUtterance('Bueno, adiós.', 'es').goodbye);
  t.ok(parseUtterance('Perdón, me tengo que ir.', 'es').goodbye);
  t.same(parseUtterance('a las siete', 'en').facts, {}, 'English parsing leaves Spanish alone');
  // Numbers that are no time or price stay out of the facts.
  t.same(parseUtterance('Tenemos dos planes y tres salas.', 'es').facts, {});
});
