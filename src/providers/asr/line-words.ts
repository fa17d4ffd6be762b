// What a gym's phone line says around the facts: phone-tree menus ("for membership, press two", "sorry, I didn't
// get that"), hold ("please stay on the line, your call is important to us"), voicemail greetings ("leave a message
// after the tone", "the mailbox is full"), call screening ("say your name and why you're calling"), transfers,
// refusals ("we don't give prices over the phone, it's on our website"), callbacks ("call back after two and ask for
// Mike") and wrong numbers. The offline recogniser's grammars (grammars.ts) take these words as one more kind of
// item, so the situations (src/situations/) can be heard offline at all; words only, every order allowed, as the
// other items are. Lower-case entries of the acoustic model's dictionary.

export const LINE_WORDS: readonly string[] = [
  // Menus ("press", "dial" and "enter" only before a key: LINE_PHRASES).
  ...['zero', 'star', 'pound', 'hash', 'option', 'options', 'menu', 'main', 'extension'],
  ...['repeat', 'these', 'hear', 'return', 'previous', 'know', "party's", 'directory', 'by', 'name', 'other', 'all'],
  ...['inquiries', 'questions', 'say', 'speak', 'talk', 'operator', 'representative', 'front', 'desk', 'reception'],
  ...['sales', 'member', 'members', 'memberships', 'services', 'service', 'billing', 'payments', 'account', 'new'],
  ...['careers', 'directions', 'location', 'holiday', 'holidays', 'personal', 'trainer', 'cancel', 'schedule'],
  // Not "didn't", "get", "catch", "invalid", "entry", "try": a tree's retry lines are phrases (LINE_PHRASES).
  ...['sorry', 'please'],
  // Hold and queues.
  ...['hold', 'holding', 'wait', 'moment', 'second', 'minute', 'line', 'stay', 'remain', 'your', 'call', 'calls'],
  ...['calling', 'important', 'busy', 'team', 'staff', 'next', 'available', 'shortly', 'soon', 'received', 'order'],
  // Voicemail and screening.
  ...['reached', 'leave', 'message', 'messages', 'after', 'tone', 'beep', 'record', 'mailbox', 'full', 'cannot'],
  ...['accept', 'any', 'now', 'right', 'currently', 'screening', 'using', 'person', 'why', 'who', 'what', 'this'],
  // Transfers, refusals, callbacks, wrong numbers. Not "online": through the phone band it takes the place of
  // "one" in "press one".
  ...['transfer', 'transferring', 'connect', 'put', 'manager', 'owner', 'give', 'prices', 'over', 'phone', 'website'],
  ...['dot', 'com', 'come', 'back', 'later', 'tomorrow', 'today', 'ask', "can't", 'help', 'wrong'],
  ...['number', 'private', 'home', 'business', 'permanently', 'closed', 'support', 'years', 'of'],
  // Not the names a callback asks for: a phrase each ("ask for mike", LINE_PHRASES).
  ...['street', 'apply', 'pay', 'bank', 'there', 'here', 'be'],
];

/**
 * The words a gym's web address is made of ("it's on our website, peak fitness dot com"). A grammar recogniser can
 * only write the words it has, and a web address is a name: without these the decoder wrote "speak say that's dot
 * com". The words gyms, clubs and studios name themselves with (places, strength, nature, classes, numbers), heard
 * only inside an address (the <host> phrase: words then "dot" and a top-level domain), so they never stand in for a
 * fact's words. A name built of other words still comes out as the nearest of these: the address is stored as heard.
 */
export const HOST_WORDS: readonly string[] = [
  ...['fitness', 'fit', 'gym', 'gyms', 'club', 'clubs', 'health', 'athletic', 'athletics', 'sports', 'sport'],
  ...['strength', 'power', 'iron', 'steel', 'muscle', 'body', 'core', 'flex', 'pulse', 'energy', 'motion', 'move'],
  ...['lift', 'strong', 'barbell', 'crossfit', 'yoga', 'pilates', 'boxing', 'kickboxing', 'spin', 'cycle', 'barre'],
  ...['martial', 'arts', 'dance', 'swim', 'climbing', 'studio', 'studios', 'house', 'box', 'lab', 'works', 'zone'],
  ...['hub', 'center', 'academy', 'training', 'performance', 'wellness', 'life', 'time', 'anytime', 'planet'],
  ...['world', 'nation', 'gold', 'crunch', 'peak', 'summit', 'apex', 'pinnacle', 'edge', 'elite', 'prime'],
  ...['pro', 'max', 'ultimate', 'total', 'pure', 'true', 'vital', 'active', 'balance', 'flow', 'zen', 'hot'],
  ...['temple', 'forge', 'factory', 'titan', 'spartan', 'warrior', 'tribe', 'alpha', 'phoenix', 'eagle', 'lion'],
  ...['wolf', 'bear', 'city', 'metro', 'urban', 'village', 'town', 'county', 'north', 'south', 'east', 'west'],
  ...['central', 'park', 'river', 'lake', 'valley', 'mountain', 'bay', 'harbor', 'hill', 'ridge', 'point', 'union'],
  ...['square', 'street', 'main', 'liberty', 'family', 'community', 'local', 'ladies', 'women', 'kids', 'new'],
  ...['best', 'royal', 'premier', 'plus', 'express', 'one', 'two', 'four', 'seven', 'twenty', 'twenty four'],
  // Not "the", "a", "and", "go": website.ts ends an address's host at them (and at "y", Spanish "and").
  ...['my', 'get', 'live'],
];

/** The keys a menu names. */
export const KEY_NAMES: readonly string[] = [
  ...['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'star', 'pound'],
];

/**
 * Phrases the line says as a whole. "press" is always followed by a key (loose words let "press one" through as
 * "press uh line noon"), and the cues of hold and voicemail keep their order, so each is heard as said.
 */
export const LINE_PHRASES: readonly string[] = [
  '[say or] (press | dial | enter) <key>',
  'thank you for calling',
  'your call is important to us',
  '[please] stay on the line',
  'thanks for holding',
  'please hold',
  'leave [me | us] a message',
  'after the tone',
  'at the tone',
  'the mailbox is full',
  'cannot accept any [new] messages',
  'not available [right now]',
  'say your name',
  "why you're calling",
  // A tree's retry lines (menu-memory.ts INVALID_ENTRY) as phrases: loose, their words stood in for a fact's
  // ("we're open" heard as "or no didn't", "forty two dollars a month" as "forty to invalid the month", "yoga" as
  // "get a") at the lowest weight of the grammar.
  "[i'm] sorry [i] (didn't | did not) (get | understand | catch) (that | your (response | selection | entry))",
  "(that | this) (is not | isn't) a valid (option | selection | entry | choice | extension)",
  'invalid (option | selection | entry | choice | extension | response)',
  "your (entry | selection | response) (was not | wasn't) (recognized | valid)",
  '[please] try again',
  'no (entry | selection | response) [was] received',
  'let me get (the | a | my | our) (manager | owner | front desk)',
  // A person named by a callback or a new voice: "ask for mike", "front desk, this is anna".
  "(ask for | speak (to | with) | talk to | this is | it's) (mike | anna | sarah | dave | lisa)",
  'the front desk',
  'member services',
  'the main menu',
  'let me transfer you',
  'the wrong number',
  'call back',
  'ask for',
  // A web address after the word that brings it ("our website, peak fitness dot com", "visit w w w dot iron temple
  // gym dot co dot uk"; website.ts reads it). On its own the phrase took the place of a price's words ("thirty two
  // dollars, or three hundred" heard as "thirty to year balance barre street dot net or"). The third word only from
  // the few that end a gym's name: with a third free <host> decoding took 285 ms of CPU per call-second, 272 so
  // (one run each, bench/asr-noise.ts, clean).
  '(website | site | visit | online at | go to) [is] [w w w dot] <host> [<host>] [gym | fitness | club | studio | center | athletics | yoga] dot (com | net | org | co dot uk | fit | gym | club)',
  // A gym that wants no more calls (src/situations/cues.ts 'do-not-call'): phrases, not loose words, so "list",
  // "take", "remove" and "stop" cannot stand in for a fact's words elsewhere.
  "[please] (don't | do not) call (us | me) [again]",
  'never call (us | me) again',
  '(take | remove) (us | me) (off | from) your list',
  '[please] stop calling (us | me)',
  // The lines that end a call with an outcome of their own (cues.ts: not-a-gym, permanently-closed, wrong-number).
  // Loose words gave "this gym has close uh permanently" and "now this is not is can't this" (1 of 6 sentences
  // reached its cue; test/demo/call-ends-hearing.test.ts).
  '(has | have) closed (permanently | for good | down)',
  'closed (permanently | for good)',
  'permanently closed',
  '[we] went out of business',
  "(this is | we are | we're) not a gym",
  "(this isn't | we aren't) a gym",
  'this is a (private (business | residence | number) | restaurant | dental office | law office | pharmacy | salon | clinic | school | church | bakery)',
];
