// Every page route, joined from the screen folders' own lists.
import type { Route } from './lib/route';
import { routes as auth } from './auth/routes';
import { routes as calendar } from './calendar/routes';
import { routes as patients } from './patients/routes';
import { routes as admin } from './admin/routes';
import { routes as chart } from './chart/routes';
import { routes as visit } from './visit/routes';
import { routes as portal } from './portal/routes';

export const routes: readonly Route[] = [...auth, ...calendar, ...patients, ...admin, ...chart, ...visit, ...portal];
