import t from 'tap';
import {
  cuesIn,
  isAutomatedSpeech,
  isHoldCue,
  isHoldEnded,
  isMailboxFull,
  isNotAGym,
  isPermanentlyClosed,
  isScreening,
  isTransferCue,
  isVoicemailGreeting,
  isWrongNumber,
} from '../../src/situations/cues.js';

// Each cue: phrasings it must catch (cloud-formatted and offline lower-case), and near misses a person says in an
// ordinary answer that it must not.
const TABLE: [string, (s: string) => boolean, string[], string[]][] = [
  [
    'hold',
    isHoldCue,
    [
      'Please hold.',
      'one moment please',
      'Hold on, let me get the manager.',
      'Your call is important to us. Please stay on the line.',
      'can you hold for a sec',
      'All of our team members are currently assisting other members.',
      'you are currently in a queue the next available representative will be with you shortly',
      'just a second',
    ],
    ['we open at six', 'the manager is in tomorrow', 'we hold yoga classes on mondays', 'a moment of silence'],
  ],
  [
    'hold ended',
    isHoldEnded,
    [
      'Hi, thanks for holding!',
      'sorry about the wait how can i help',
      'hello are you still there',
      'This is Mike speaking.',
      'Front desk?',
      'reception anna speaking',
    ],
    [
      'please hold',
      'hello thank you for calling press one for membership',
      'hi leave a message after the tone',
      'please hold while we connect you to the front desk',
      'for the front desk press zero',
    ],
  ],
  [
    'voicemail',
    isVoicemailGreeting,
    [
      "Hi, you've reached Iron Temple. We can't take your call right now. Please leave a message after the beep.",
      'the person you are calling is not available at the tone please record your message',
      'Your call has been forwarded to an automated voice messaging system.',
      'The mailbox is full.',
      "we're not available right now but we'll call you back as soon as we can",
      'The person you are calling is not available. Press 1 to leave a message.',
    ],
    [
      'the message is on our website',
      'is the manager available? let me check',
      'we have a beep test class',
      // A queue's announcement or a menu offering a message box is not a greeting taking one.
      'Your call is important to us. Please stay on the line, or press 1 to leave a message.',
      'to leave a voicemail press two for the front desk press three',
      'for voicemail press 9',
    ],
  ],
  [
    'mailbox full',
    isMailboxFull,
    ['The mailbox is full and cannot accept any new messages. Goodbye.', 'mail box is full'],
    ['leave a message after the tone', 'our class is full'],
  ],
  [
    'screening',
    isScreening,
    [
      "Hi, the person you're calling is using a screening service from Google. Go ahead and say your name and why you're calling.",
      'If you record your name and reason for calling, I will see if this person is available.',
      'please state your name',
      "who's calling and what is this regarding",
    ],
    ['my name is Sarah how can I help', 'why are you calling the gym', 'say that again'],
  ],
  [
    'transfer',
    isTransferCue,
    [
      'Let me transfer you to the manager.',
      "i'll put you through to sales",
      'transferring you now',
      'let me connect you',
      'i don t the no the prices the let me transfer using the manager',
    ],
    [
      'we transfer memberships between clubs for a fee',
      'connect with us on instagram',
      'you can transfer your membership to a friend',
    ],
  ],
  [
    'wrong number',
    isWrongNumber,
    [
      "Sorry, you've got the wrong number.",
      'there is no one here by that name',
      'you must have dialed the wrong number',
    ],
    ['our number is on the website', 'the right number for sales is five five five'],
  ],
  [
    'not a gym',
    isNotAGym,
    [
      "No, this isn't a gym, it's a pizzeria.",
      "we're a dental office",
      'this is a restaurant',
      'no this is a private business',
      'this to the private business',
    ],
    [
      'we are a gym',
      "we're a small gym",
      'this is a great gym',
      'we offer private sessions for business members',
      "we're a private business, we don't give out prices",
      "It's a private business, we don't give out prices.",
      'This is a private business, so we keep prices to members.',
      "it's a private office in the back",
      'this is a private company-run gym',
      "it's the private office number",
      'Is this a private company calling?',
      "I'll forward it to the private office.",
    ],
  ],
  [
    'permanently closed',
    isPermanentlyClosed,
    [
      'We closed for good last year.',
      'the gym has closed down',
      "we're out of business",
      'it is permanently closed',
      // A hesitation, and the d a recogniser drops before a consonant.
      'this gym has close uh permanently',
      'We closed, um, for good.',
    ],
    [
      'we are closed on sundays',
      'closed for the holidays',
      'we close at ten',
      'we close at nine, uh, for good measure',
    ],
  ],
];

for (const [name, f, yes, no] of TABLE) {
  t.test(name, async (t) => {
    for (const s of yes) t.ok(f(s), `yes: ${s}`);
    for (const s of no) t.notOk(f(s), `no: ${s}`);
  });
}

// Spanish lines (accents optional), and Spanish answers that must not be taken for them.
const SPANISH: [string, (s: string) => boolean, string[], string[]][] = [
  [
    'hold (es)',
    isHoldCue,
    ['Espere un momento, por favor.', 'un momentito por favor', 'No cuelgue, su llamada es muy importante.'],
    ['abrimos a las seis', 'en un momento le digo que tenemos yoga'],
  ],
  ['hold ended (es)', isHoldEnded, ['Gracias por esperar, dígame.', 'disculpe la demora'], ['espere un momento']],
  [
    'voicemail (es)',
    isVoicemailGreeting,
    ['Deje su mensaje después del tono.', 'Ha llamado al buzón de voz de Gimnasio Fuerza', 'no estamos disponibles'],
    ['abrimos de lunes a viernes', 'la membresía cuesta cuarenta dólares'],
  ],
  ['mailbox full (es)', isMailboxFull, ['El buzón de voz está lleno.'], ['tenemos mensajes en la recepción']],
  ['screening (es)', isScreening, ['Diga su nombre y el motivo de su llamada.'], ['¿cuál es su nombre, perdón?']],
  ['transfer (es)', isTransferCue, ['Le comunico con el gerente.', 'lo voy a transferir'], ['el gerente llega mañana']],
  ['wrong number (es)', isWrongNumber, ['Número equivocado.', 'se equivocó de número'], ['nuestro número es otro']],
  ['not a gym (es)', isNotAGym, ['No, esto no es un gimnasio, es una pizzería.'], ['somos un gimnasio pequeño']],
  [
    'permanently closed (es)',
    isPermanentlyClosed,
    ['Cerramos definitivamente el año pasado.', 'el gimnasio está cerrado permanentemente'],
    ['los domingos cerramos', 'cerramos a las diez'],
  ],
];

for (const [name, f, yes, no] of SPANISH) {
  t.test(name, async (t) => {
    for (const s of yes) t.ok(f(s), `yes: ${s}`);
    for (const s of no) t.notOk(f(s), `no: ${s}`);
  });
}

t.test('a Spanish request not to be called again ends the call as do-not-call', async (t) => {
  for (const s of ['No nos vuelva a llamar.', 'Por favor, sáquenos de su lista.', 'deje de llamarnos'])
    t.same(cuesIn(s).includes('do-not-call'), true, s);
  t.notOk(cuesIn('no damos precios por teléfono').includes('do-not-call'));
});

t.test('cuesIn lists every concept a text carries', async (t) => {
  t.same(cuesIn('Please hold while I transfer you.'), ['hold', 'transfer']);
  t.same(cuesIn('The mailbox is full.'), ['mailbox-full']);
  t.same(cuesIn('we open at six'), []);
});

t.test('automated speech is never a source of facts', async (t) => {
  for (const s of [
    'Our hours are five to eleven. For membership press 2.',
    'Thanks for calling, we are open six to ten, please leave a message after the tone.',
    'Your call is important to us. Memberships start at twenty nine dollars.',
    "Go ahead and say your name and why you're calling.",
    // Spanish: the recording notice, the queue's announcements.
    'Esta llamada puede ser grabada para fines de calidad.',
    'esta llamada puede ser grabada y monitoreada',
    'Su llamada podrá ser monitoreada.',
    'Su llamada es muy importante para nosotros. Las membresías cuestan cuarenta dólares.',
    'Todos nuestros asesores están ocupados.',
    'El tiempo estimado de espera es de dos minutos.',
  ])
    t.ok(isAutomatedSpeech(s), s);
  for (const s of [
    'we are open six to ten',
    'memberships are twenty nine a month',
    'one moment, we have yoga and spin',
    'abrimos de seis a diez',
    'la llamada de ayer fue grabada por error, pero abrimos a las seis',
    'disculpe el tiempo de espera, abrimos a las seis',
  ])
    t.notOk(isAutomatedSpeech(s), s);
});
