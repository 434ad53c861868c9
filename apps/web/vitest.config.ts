import { existsSync } from "node:fs";
import { packageTestConfig } from "../../vitest.shared.ts";

// The browser tests share one Chromium and one static server over one build (test/global-setup.ts);
// the unit tests of the page's pure modules run in Node next to them.
// Chromium is an OS package: `.ci/run` installs it (and CI=true makes a missing one a failure). On a
// developer's machine without it the browser tests are left out with a warning, so the README's
// two-command quick start still works with only Node and npm.
const chromium = process.env["CHROMIUM_PATH"] ?? "/usr/bin/chromium";
const browserTests = existsSync(chromium) || process.env["CI"] !== undefined;
if (!browserTests)
  console.warn(`@dcnpi/web: ${chromium} not found: the browser tests are SKIPPED (apt-get install -y chromium, or set CHROMIUM_PATH)`);

export default packageTestConfig({
  include: browserTests ? ["src/**/*.test.ts", "test/**/*.test.ts", "scripts/**/*.test.ts"] : ["src/**/*.test.ts", "scripts/**/*.test.ts"],
  ...(browserTests ? { globalSetup: ["test/global-setup.ts"] } : {}),
});
