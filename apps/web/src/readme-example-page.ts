/**
 * Runs the root README's browser example verbatim (scripts/readme-example-plugin.ts turns the code
 * between its markers into the module "virtual:readme-example"); the browser test reads the outcome
 * from `window.readmeExample` and the console.
 */
import { initBackend } from "./backend.js";

declare global {
  interface Window {
    readmeExample: Promise<{ ok: true } | { ok: false; error: string }>;
  }
}

const status = document.getElementById("status")!;
window.readmeExample = (async () => {
  try {
    // The example picks no backend (libraries never do): the page provides one, as an app would.
    await initBackend();
    await import("virtual:readme-example");
    status.textContent = "done";
    return { ok: true as const };
  } catch (error) {
    const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    status.textContent = `failed: ${text}`;
    return { ok: false as const, error: text };
  }
})();
