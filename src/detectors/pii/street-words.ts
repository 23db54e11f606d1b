/**
 * Street and unit words. A number followed by one of these within a few words is part
 * of a postal address ("at 9543 1819 St. John Street", "Suite 680 36 4022 Oakridge
 * Lane"), which is negative evidence for phone and SSN readings of the same digits.
 */
import { compileContext } from './context-words.js';

export const STREET_WORDS = compileContext([
  'street', 'st', 'lane', 'ln', 'road', 'rd', 'avenue', 'ave', 'boulevard', 'blvd', 'drive', 'dr', 'court', 'ct',
  'parkway', 'pkwy', 'way', 'place', 'pl', 'square', 'terrace', 'crescent', 'highway', 'hwy', 'rue', 'via', 'calle',
  'avenida', 'strasse', 'straße', 'apt', 'apartment', 'suite',
]);
