/**
 * The PII entity types Bulwark recognizes (Presidio's names), with the severity and the
 * description each finding carries.
 *
 * Severity reflects the harm of disclosure: identifiers that enable fraud or identity
 * theft on their own are HIGH; contact and network identifiers are MEDIUM; URLs and dates
 * are LOW because they are personal only in combination with other data.
 */
import type { SeverityName } from '../types.js';

export const PII_ENTITY_TYPES = [
  'EMAIL_ADDRESS',
  'PHONE_NUMBER',
  'CREDIT_CARD',
  'US_SSN',
  'US_ITIN',
  'US_PASSPORT',
  'US_BANK_NUMBER',
  'US_DRIVER_LICENSE',
  'IBAN_CODE',
  'IP_ADDRESS',
  'URL',
  'CRYPTO',
  'UK_NHS',
  'DATE_TIME',
  'MEDICAL_LICENSE',
  'AU_TFN',
] as const;

export type PiiEntityType = (typeof PII_ENTITY_TYPES)[number];

interface EntityInfo {
  severity: SeverityName;
  /** Never contains matched text: it is returned to callers and logged. */
  description: string;
}

export const PII_ENTITY_INFO: Readonly<Record<PiiEntityType, EntityInfo>> = {
  EMAIL_ADDRESS: { severity: 'MEDIUM', description: 'Email address' },
  PHONE_NUMBER: { severity: 'MEDIUM', description: 'Phone number' },
  CREDIT_CARD: { severity: 'HIGH', description: 'Payment card number (Luhn-valid, known issuer prefix)' },
  US_SSN: { severity: 'HIGH', description: 'US Social Security number' },
  US_ITIN: { severity: 'HIGH', description: 'US Individual Taxpayer Identification Number' },
  US_PASSPORT: { severity: 'HIGH', description: 'US passport number' },
  US_BANK_NUMBER: { severity: 'HIGH', description: 'US bank account number' },
  US_DRIVER_LICENSE: { severity: 'HIGH', description: 'US driver license number' },
  IBAN_CODE: { severity: 'HIGH', description: 'International Bank Account Number (mod-97 valid)' },
  IP_ADDRESS: { severity: 'MEDIUM', description: 'IP address' },
  URL: { severity: 'LOW', description: 'URL' },
  CRYPTO: { severity: 'MEDIUM', description: 'Cryptocurrency wallet address (checksum valid)' },
  UK_NHS: { severity: 'HIGH', description: 'UK NHS number (mod-11 valid)' },
  DATE_TIME: { severity: 'LOW', description: 'Date or time' },
  MEDICAL_LICENSE: { severity: 'HIGH', description: 'US DEA registration number (checksum valid)' },
  AU_TFN: { severity: 'HIGH', description: 'Australian Tax File Number (checksum valid)' },
};

/** Type guard for names read from a policy. */
export function isPiiEntityType(name: string): name is PiiEntityType {
  return (PII_ENTITY_TYPES as readonly string[]).includes(name);
}
