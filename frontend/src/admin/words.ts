// The set-up screens' words for the server's codes.
import type { Schemas } from '../lib/api/client';

export const roleWords: Record<Schemas['Role'], string> = {
  admin: 'Clinic manager',
  front_desk: 'Front desk',
  practitioner: 'Practitioner',
  patient: 'Patient',
};

export const scopeWords: Record<Schemas['ConsentScope'], string> = {
  treatment: 'Treatment',
  photography: 'Photography',
  marketing: 'Marketing',
};

export const weekdays = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
