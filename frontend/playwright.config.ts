import { defineConfig } from '@playwright/test';

// One port for the whole run: chosen once by the main process, inherited by the workers
// (they re-read this file with the same environment).
process.env.DERMACHART_UI_PORT ??= String(20000 + Math.floor(Math.random() * 20000));
const baseURL = `http://127.0.0.1:${process.env.DERMACHART_UI_PORT}`;

export default defineConfig({
  testDir: './tests',
  globalSetup: './tests/global-setup.ts',
  workers: 1,
  fullyParallel: false,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 8_000 },
  reporter: [['list']],
  use: {
    baseURL,
    viewport: { width: 1280, height: 800 },
    // Not the clinic's zone (Europe/London): every time on screen must still be the clinic's.
    timezoneId: 'America/New_York',
    locale: 'en-GB',
    launchOptions: { executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium' },
    trace: 'off',
    screenshot: 'only-on-failure',
  },
  projects: [
    { name: 'journeys', testIgnore: /screenshots\.spec\.ts/ },
    { name: 'screenshots', testMatch: /screenshots\.spec\.ts/ },
  ],
});
