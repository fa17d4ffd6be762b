import t from 'tap';
import { soundsAutomated, soundsLikePickup } from '../../src/situations/pickup.js';

// The first words of an outbound call before its first pause: a person picking up (greet now) or not (wait).
// Cloud-formatted and offline lower-case phrasings, and near misses from recordings and assistants.

const PERSON = [
  'Hello?',
  'hello',
  'Hi, hello.',
  'Hello, the gym.',
  'Yeah?',
  'Good morning, Iron Gym.',
  'Iron Gym, this is Sam.',
  'iron gym this is sam how can i help you',
  'Thanks for calling Iron Gym, this is Sam, how can I help you?',
  'thank you for calling peak fitness how may i help you',
  'Front desk, how can I help?',
  'Hi, front desk, how can I help?',
  'Front desk.',
  "You've reached the front desk, this is Sam.",
  'Speaking.',
  'Sam speaking.',
  'Hello, yes, this is the gym.',
  'What can I do for you?',
  'Peak Fitness?',
  'Iron Temple.',
  // Spanish: Mexico's "¿Bueno?", Spain's "Diga", a receptionist's name and offer.
  'Hola?',
  '¿Bueno?',
  'Diga.',
  'Dígame.',
  '¿Aló?',
  '¿Sí?',
  'Sí, dígame.',
  'Bueno, habla Ana, ¿en qué le puedo ayudar?',
  'bueno habla ana en que le puedo ayudar',
  'Buenas tardes, Gimnasio Toro.',
  'Gimnasio Toro, le habla Ana.',
  'Gracias por llamar a Gimnasio Toro, habla Ana, ¿en qué le puedo ayudar?',
  'Recepción, buenos días.',
  '¿Quién habla?',
  'Gimnasio Toro.',
];
const NOT_PERSON = [
  'Thank you for calling Iron Gym.',
  'thank you for calling peak fitness',
  'Welcome to Iron Gym, the home of strength.',
  'Good morning, and thank you for calling Iron Gym.',
  "Hi, you've reached Iron Temple.",
  'You have reached the front desk.',
  'you has reached the front desk',
  'Your call is important to us.',
  'Please listen carefully, as our menu options have changed.',
  "If you know your party's extension, you may dial it at any time.",
  'This call may be recorded for quality assurance.',
  'For membership, press 1.',
  'Hi, the person you are calling is using a screening service.',
  'Please say your name and why you are calling.',
  'Please hold.',
  'Our hours are six to ten.',
  'Hello, please leave a message after the tone.',
  '',
  'mm',
  'Our new spin studio opens in March and we will have classes every morning.',
  // Spanish recordings and assistants.
  'Gracias por llamar a Gimnasio Toro.',
  'Buenos días, gracias por llamar a Gimnasio Toro.',
  'Bienvenido a Gimnasio Toro.',
  'Usted se ha comunicado con Gimnasio Toro.',
  'Esta llamada puede ser grabada para fines de calidad.',
  'Hola, esta llamada puede ser grabada y monitoreada.',
  'Para membresías, marque dos.',
  'Si conoce la extensión, márquela ahora.',
  'Si desea información, oprima uno.',
  'Hola, deje su mensaje después del tono.',
  'Por favor, diga su nombre y el motivo de su llamada.',
  'Espere un momento, por favor.',
  'Nuestro horario de atención es de lunes a viernes.',
  'Soy el asistente virtual de Gimnasio Toro.',
];

t.test('a person picking up', async (t) => {
  for (const s of PERSON) t.ok(soundsLikePickup(s, 'Iron Temple'), `person: "${s}"`);
});

t.test('not (yet) a person: recordings, assistants, words not made out', async (t) => {
  for (const s of NOT_PERSON) t.notOk(soundsLikePickup(s, 'Iron Temple'), `not a pickup: "${s}"`);
});

t.test("the gym's name alone is a pickup only when it is the name called or a business's", async (t) => {
  t.ok(soundsLikePickup('Iron Temple?', 'Iron Temple'));
  t.notOk(soundsLikePickup('Iron Temple?', 'Peak Fitness'), 'another name, no business word: unclear');
  t.notOk(soundsLikePickup('The', 'The Gym Co'), 'generic words of a name say nothing');
  t.ok(soundsLikePickup('Peak Fitness.', ''), 'a business word');
  t.ok(soundsLikePickup('Gimnasio del Norte.', ''), 'a Spanish business word');
  t.ok(soundsLikePickup('¿Toro?', 'Gimnasio Toro'), 'the name called');
  t.notOk(soundsLikePickup('¿De la?', 'Gimnasio de la Ciudad'), 'Spanish generic words say nothing');
});

t.test('soundsAutomated: what a recording says', async (t) => {
  t.ok(soundsAutomated('If you know your party’s extension, dial it now.'));
  t.ok(soundsAutomated('para español oprima dos'));
  t.ok(soundsAutomated('Esta llamada puede ser grabada.'));
  t.notOk(soundsAutomated('Hello, Iron Gym, this is Sam.'));
});
