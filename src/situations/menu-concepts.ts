import { findPhrase } from './words.js';

// What a menu option leads to, from its label's words: the one lexicon the choice ranks and the fingerprint
// names. Scores say how likely the option reaches a person who can tell a caller the hours, prices and classes:
// the front desk best, then membership sales, an operator or representative, "all other inquiries"; recordings and
// departments that cannot answer (billing, careers) rank low, and options that lead nowhere ("repeat this menu",
// another language) lowest. A label is matched phrase by phrase; its first-listed concept with a match wins.

export type MenuConcept =
  | 'front-desk'
  | 'membership'
  | 'member-services'
  | 'english'
  | 'operator'
  | 'other-inquiries'
  | 'classes'
  | 'personal-training'
  | 'information'
  | 'billing'
  | 'cancel'
  | 'careers'
  | 'directory'
  | 'language'
  | 'repeat'
  | 'unknown';

interface ConceptEntry {
  readonly concept: MenuConcept;
  readonly score: number;
  /** Why this option reaches (or does not reach) someone who can answer; shown in the call's log and review. */
  readonly reason: string;
  readonly phrases: readonly string[];
}

// Order matters: "repeat this menu" and "español" are checked before words that might also appear in them, and
// "cancel my membership" is a cancellation, not membership sales.
export const MENU_CONCEPTS: readonly ConceptEntry[] = [
  {
    concept: 'repeat',
    score: -100,
    reason: 'repeats the menu',
    phrases: [
      'repeat',
      'hear these options again',
      'main menu',
      'previous menu',
      'return to',
      'repetir',
      'escuchar de nuevo',
      'menu principal',
    ],
  },
  {
    concept: 'language',
    score: -50,
    reason: 'another language',
    phrases: ['espanol', 'español', 'spanish', 'francais', 'french'],
  },
  {
    concept: 'cancel',
    score: 0,
    reason: 'cancellations, not information',
    phrases: [
      'cancel',
      'cancellation',
      'cancellations',
      'freeze',
      'terminate',
      'cancelar',
      'cancelaciones',
      'congelar',
    ],
  },
  {
    concept: 'careers',
    score: 0,
    reason: 'jobs, not members',
    phrases: ['career', 'careers', 'employment', 'job', 'jobs', 'applying', 'vendor', 'vendors', 'empleo', 'vacantes'],
  },
  {
    concept: 'billing',
    score: 5,
    reason: 'billing staff rarely know the schedule',
    phrases: [
      'billing',
      'bill',
      'payment',
      'payments',
      'account',
      'accounts',
      'invoice',
      'dues',
      'facturacion',
      'pagos',
      'cobros',
    ],
  },
  {
    concept: 'directory',
    score: 10,
    reason: 'a staff directory needs a name',
    phrases: ['directory', 'extension', 'by name', "party's", 'directorio'],
  },
  {
    concept: 'member-services',
    score: 60,
    reason: 'member services are people who know the gym, if not always the prices',
    phrases: [
      'existing member',
      'existing members',
      'current member',
      'current members',
      'member services',
      'member service',
      'atencion a socios',
      'servicio al cliente',
      'atencion al cliente',
    ],
  },
  {
    concept: 'english',
    score: 50,
    reason: 'the English menu (the agent speaks English) leads on to the main menu',
    phrases: ['english'],
  },
  {
    concept: 'front-desk',
    score: 100,
    reason: 'the front desk answers hours, prices and classes',
    phrases: ['front desk', 'reception', 'receptionist', 'front counter', 'check in', 'desk', 'recepcion', 'mostrador'],
  },
  {
    concept: 'membership',
    score: 90,
    reason: 'membership sales know the prices and usually the rest',
    phrases: [
      'membership',
      'memberships',
      'member',
      'members',
      'sales',
      'join',
      'joining',
      'new member',
      'pricing',
      'prices',
      'rates',
      'tour',
      'tours',
      'sign up',
      'membresia',
      'membresias',
      'inscripcion',
      'inscripciones',
      'ventas',
      'precios',
      'nuevos socios',
    ],
  },
  {
    concept: 'operator',
    score: 85,
    reason: 'an operator or representative is a person',
    phrases: [
      'operator',
      'representative',
      'rep',
      'staff member',
      'team member',
      'associate',
      'agent',
      'someone',
      'somebody',
      'person',
      'live person',
      'speak to',
      'speak with',
      'talk to',
      'talk with',
      'manager',
      'attendant',
      'general manager',
      'operador',
      'operadora',
      'una persona',
      'un representante',
      'un asesor',
      'un agente',
      'hablar con',
      'gerente',
    ],
  },
  {
    concept: 'other-inquiries',
    score: 70,
    reason: 'general inquiries reach the front desk',
    phrases: [
      'all other',
      'other inquiries',
      'other questions',
      'general',
      'inquiries',
      'enquiries',
      'questions',
      'anything else',
      'everything else',
      'information',
      'otras consultas',
      'cualquier otra',
      'otros asuntos',
    ],
  },
  {
    concept: 'classes',
    score: 40,
    reason: 'class staff know classes, maybe not prices',
    phrases: ['class', 'classes', 'schedule', 'group fitness', 'studio', 'clases'],
  },
  {
    concept: 'personal-training',
    score: 30,
    reason: 'personal trainers know their own prices',
    phrases: ['personal training', 'personal trainer', 'trainer', 'training', 'entrenamiento personal', 'entrenador'],
  },
  {
    concept: 'information',
    score: 20,
    reason: 'likely a recording, and no fact is taken from a recording',
    phrases: [
      'hours',
      'hours of operation',
      'directions',
      'location',
      'address',
      'open',
      'holiday',
      'horarios',
      'ubicacion',
    ],
  },
];

export interface ConceptMatch {
  readonly concept: MenuConcept;
  readonly score: number;
  readonly reason: string;
}

const UNKNOWN: ConceptMatch = { concept: 'unknown', score: 25, reason: 'unknown option' };

export function conceptOf(label: string): ConceptMatch {
  const w = label.split(' ').filter((x) => x.length > 0);
  for (const e of MENU_CONCEPTS) if (e.phrases.some((p) => findPhrase(w, p) >= 0)) return e;
  return UNKNOWN;
}
