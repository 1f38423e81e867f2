// The clinic's settings every screen needs (its time zone), from `GET /clinic`.
class Clinic {
  timezone = $state('Europe/London');
  loaded = $state(false);
}

export const clinic = new Clinic();

/** The browser's own zone (to name the clinic's where they differ). */
export const browserZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
