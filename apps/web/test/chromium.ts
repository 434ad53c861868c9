/**
 * Headless Chromium from the OS (Debian's `chromium` package; `CHROMIUM_PATH` overrides), driven by
 * playwright-core, which downloads no browser of its own. `.ci/run` installs the package when missing.
 */
import { existsSync } from "node:fs";
import { chromium, type Browser } from "playwright-core";

export const CHROMIUM_PATH = process.env["CHROMIUM_PATH"] ?? "/usr/bin/chromium";

export function chromiumAvailable(): boolean {
  return existsSync(CHROMIUM_PATH);
}

/**
 * `webgl: true` asks for WebGL without a GPU through ANGLE's SwiftShader (a CPU implementation of
 * the GL API): what a headless CI machine can offer.
 */
export async function launchChromium(options: { webgl?: boolean } = {}): Promise<Browser> {
  if (!chromiumAvailable())
    throw new Error(
      `${CHROMIUM_PATH}: no Chromium there; install Debian's chromium package (apt-get install -y chromium) or set CHROMIUM_PATH`,
    );
  const args = ["--no-sandbox", "--disable-dev-shm-usage", "--disable-extensions", "--disable-background-networking"];
  if (options.webgl === true) args.push("--use-angle=swiftshader", "--enable-unsafe-swiftshader", "--ignore-gpu-blocklist");
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args, timeout: 60_000 });
}
