/**
 * Street and unit words. A number followed by one of these within a few words is part
 * of a postal address ("at 9543 1819 St. John Street", "Suite 680 36 4022 Oakridge
 * Lane"), which is negative evidence for phone and SSN readings of the same digits.
 */
import { compileContext } from './context-words.js';

/**
 * Only words that are rarely anything else: "way", "close", "place" or "row" after a
 * number are as likely ordinary English ("call 555 0100 by the way").
 */
export const STREET_WORDS = compileContext([
  'street', 'st', 'lane', 'ln', 'road', 'rd', 'avenue', 'ave', 'boulevard', 'blvd', 'court', 'ct', 'parkway', 'pkwy',
  'square', 'sq', 'terrace', 'crescent', 'highway', 'hwy', 'rue', 'calle', 'avenida', 'strasse', 'straße', 'apt',
  'apartment', 'suite',
]);

/** Words right before a number that make it a unit or box number ("Apt. 675", "Suite 541"). */
export const UNIT_WORDS = compileContext(['apt', 'apartment', 'suite', 'ste', 'unit', 'box', 'room', 'flat', 'floor', 'building', 'bldg']);
