/**
 * Once per `vitest run`: builds the app with Vite into dist/ (reading the workspace packages'
 * sources, so no package build is needed first) and serves dist/ on 127.0.0.1 for the browser tests.
 * The build's warnings are kept for the bundle test.
 */
import { fileURLToPath } from "node:url";
import type { TestProject } from "vitest/node";
import { build, createLogger } from "vite";
import { serveDirectory } from "./static-server.js";

declare module "vitest" {
  export interface ProvidedContext {
    baseUrl: string;
    distDir: string;
    buildWarnings: string[];
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const root = fileURLToPath(new URL("..", import.meta.url));
  const warnings: string[] = [];
  const logger = createLogger("warn");
  const warn = logger.warn;
  logger.warn = (message, options) => {
    warnings.push(message);
    if (!/externalized for browser compatibility/.test(message)) warn(message, options);
  };
  await build({ root, configFile: `${root}vite.config.ts`, logLevel: "warn", customLogger: logger });
  const distDir = `${root}dist`;
  const server = await serveDirectory(distDir);
  project.provide("baseUrl", server.url);
  project.provide("distDir", distDir);
  project.provide("buildWarnings", warnings);
  return () => server.close();
}
