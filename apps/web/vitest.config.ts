import { packageTestConfig } from "../../vitest.shared.ts";

// The browser tests share one Chromium and one static server over one build (test/global-setup.ts);
// the unit tests of the page's pure modules run in Node next to them.
export default packageTestConfig({
  include: ["src/**/*.test.ts", "test/**/*.test.ts", "scripts/**/*.test.ts"],
  globalSetup: ["test/global-setup.ts"],
});
