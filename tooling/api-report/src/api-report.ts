// The pinned public API: every name each exports-map entry exports, with its kind and a compact
// signature printed by the TypeScript checker, written to one reviewed file per package.
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";
import { workspaceRoot, type WorkspacePackage } from "./workspace.ts";

export type ApiKind = "function" | "class" | "const" | "let" | "var" | "enum" | "interface" | "type" | "namespace";

export interface ApiItem {
  name: string;
  kind: ApiKind;
  signature: string;
}

export interface EntryApi {
  /** The import path a user writes: `@dcnpi/tensor`, `@dcnpi/tensor/tfjs`. */
  importPath: string;
  sourceFile: string;
  items: ApiItem[];
}

export interface PackageApi {
  name: string;
  dir: string;
  entries: EntryApi[];
}

export const REPORT_FILE_NAME = "api-report.md";
/** Signatures longer than this are cut and end in a hash of the full text, so any change still shows. */
export const MAX_SIGNATURE_LENGTH = 240;
export const UPDATE_COMMAND = "npx --yes pnpm@12.4.2 api:update";

export function reportPath(pkg: { dir: string }): string {
  return `${pkg.dir}/${REPORT_FILE_NAME}`;
}

/** One program over every entry of every package, with the workspace's compiler options. */
export function createApiProgram(packages: readonly WorkspacePackage[], root: string = workspaceRoot): ts.Program {
  const configPath = join(root, "tsconfig.base.json");
  const config = ts.readConfigFile(configPath, (path) => ts.sys.readFile(path));
  if (config.error !== undefined)
    throw new Error(`api-report: cannot read ${configPath}: ${ts.flattenDiagnosticMessageText(config.error.messageText, "\n")}`);
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, root, undefined, configPath);
  const rootNames = packages.flatMap((pkg) => pkg.entries.map((entry) => join(root, entry.sourceFile)));
  return ts.createProgram({ rootNames, options: { ...parsed.options, noEmit: true } });
}

export function collectApi(packages: readonly WorkspacePackage[], program: ts.Program, root: string = workspaceRoot): PackageApi[] {
  const checker = program.getTypeChecker();
  return packages
    .filter((pkg) => pkg.entries.length > 0)
    .map((pkg) => ({
      name: pkg.name,
      dir: pkg.dir,
      entries: pkg.entries.map((entry) => {
        const importPath = entry.subpath === "." ? pkg.name : `${pkg.name}/${entry.subpath.slice(2)}`;
        const source = program.getSourceFile(join(root, entry.sourceFile));
        if (source === undefined)
          throw new Error(`api-report: ${pkg.name} "${entry.subpath}" points at ${entry.sourceFile}, which does not exist`);
        const moduleSymbol = checker.getSymbolAtLocation(source);
        const items =
          moduleSymbol === undefined
            ? []
            : checker.getExportsOfModule(moduleSymbol).flatMap((symbol) => describeExport(checker, symbol, source));
        return { importPath, sourceFile: entry.sourceFile, items: items.sort(compareItems) };
      }),
    }));
}

function compareItems(a: ApiItem, b: ApiItem): number {
  return compareStrings(a.name, b.name) || compareStrings(a.kind, b.kind);
}

export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const FORMAT_FLAGS =
  ts.TypeFormatFlags.NoTruncation | ts.TypeFormatFlags.WriteArrowStyleSignature | ts.TypeFormatFlags.UseSingleQuotesForStringLiteralType;

/** One row per meaning: `export const Foo` plus `export type Foo` gives two rows. */
function describeExport(checker: ts.TypeChecker, exported: ts.Symbol, where: ts.SourceFile): ApiItem[] {
  const name = exported.getName();
  const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
  const flags = symbol.flags;
  const items: ApiItem[] = [];
  const add = (kind: ApiKind, signature: string): void => {
    items.push({ name, kind, signature: compact(signature) });
  };
  const print = (type: ts.Type): string => checker.typeToString(type, where, FORMAT_FLAGS);

  if (flags & ts.SymbolFlags.Function) {
    const signatures = checker.getSignaturesOfType(checker.getTypeOfSymbol(symbol), ts.SignatureKind.Call);
    add("function", signatures.map((signature) => checker.signatureToString(signature, where, FORMAT_FLAGS)).join("; "));
  }
  if (flags & ts.SymbolFlags.Class) add("class", describeClass(checker, symbol, where, print));
  if (flags & ts.SymbolFlags.Enum) {
    const members = checker.getExportsOfModule(symbol).map((member) => {
      const declaration = member.valueDeclaration;
      const value = declaration !== undefined && ts.isEnumMember(declaration) ? checker.getConstantValue(declaration) : undefined;
      return value === undefined ? member.getName() : `${member.getName()} = ${JSON.stringify(value)}`;
    });
    add("enum", `{ ${members.join(", ")} }`);
  }
  if (flags & ts.SymbolFlags.Variable) add(variableKind(symbol), print(checker.getTypeOfSymbol(symbol)));
  if (flags & ts.SymbolFlags.Interface) {
    const declared = checker.getDeclaredTypeOfSymbol(symbol);
    const bases = declared.isClassOrInterface() ? checker.getBaseTypes(declared).map(print) : [];
    const heading = `${typeParameters(symbol)}${bases.length > 0 ? `extends ${bases.join(", ")} ` : ""}`;
    add("interface", `${heading}${describeMembers(checker, declared, print, bases.length > 0 ? symbol : undefined)}`);
  }
  if (flags & ts.SymbolFlags.TypeAlias) {
    const declared = checker.getDeclaredTypeOfSymbol(symbol);
    add("type", `${typeParameters(symbol)}${checker.typeToString(declared, where, FORMAT_FLAGS | ts.TypeFormatFlags.InTypeAlias)}`);
  }
  if (
    flags & (ts.SymbolFlags.ValueModule | ts.SymbolFlags.NamespaceModule) &&
    !(flags & (ts.SymbolFlags.Function | ts.SymbolFlags.Class | ts.SymbolFlags.Enum))
  ) {
    const names = checker
      .getExportsOfModule(symbol)
      .map((member) => member.getName())
      .sort(compareStrings);
    add("namespace", `{ ${names.join(", ")} }`);
  }
  return items;
}

function variableKind(symbol: ts.Symbol): ApiKind {
  const declaration = symbol.valueDeclaration;
  if (declaration !== undefined && ts.isVariableDeclaration(declaration) && ts.isVariableDeclarationList(declaration.parent)) {
    const listFlags = declaration.parent.flags;
    if (listFlags & ts.NodeFlags.Const) return "const";
    if (listFlags & ts.NodeFlags.Let) return "let";
    return "var";
  }
  return "const";
}

function typeParameters(symbol: ts.Symbol): string {
  const declaration = symbol.declarations?.find(
    (node) => ts.isInterfaceDeclaration(node) || ts.isTypeAliasDeclaration(node) || ts.isClassDeclaration(node),
  );
  if (declaration === undefined || !("typeParameters" in declaration) || declaration.typeParameters === undefined) return "";
  const parameters = declaration.typeParameters as ts.NodeArray<ts.TypeParameterDeclaration>;
  return `<${parameters.map((parameter) => parameter.getText()).join(", ")}> `;
}

function isPublicMember(member: ts.Symbol): boolean {
  if (member.getName().startsWith("#") || member.getName().startsWith("__@")) return false;
  const modifiers =
    member.declarations?.flatMap((declaration) => (ts.canHaveModifiers(declaration) ? (ts.getModifiers(declaration) ?? []) : [])) ?? [];
  return !modifiers.some((modifier) => modifier.kind === ts.SyntaxKind.PrivateKeyword || modifier.kind === ts.SyntaxKind.ProtectedKeyword);
}

/** Declared in `owner` itself (not inherited): inherited members show as `extends X` instead. */
function isOwnMember(member: ts.Symbol, owner: ts.Symbol): boolean {
  const ownDeclarations = new Set<ts.Node>(owner.declarations ?? []);
  return member.declarations?.some((declaration) => ownDeclarations.has(declaration.parent)) ?? false;
}

function describeMembers(checker: ts.TypeChecker, type: ts.Type, print: (type: ts.Type) => string, owner?: ts.Symbol): string {
  const members = checker
    .getPropertiesOfType(type)
    .filter((member) => isPublicMember(member) && (owner === undefined || isOwnMember(member, owner)))
    .map((member) => {
      const optional = member.flags & ts.SymbolFlags.Optional ? "?" : "";
      const readonly = member.declarations?.some(
        (declaration) =>
          ts.canHaveModifiers(declaration) &&
          ts.getModifiers(declaration)?.some((modifier) => modifier.kind === ts.SyntaxKind.ReadonlyKeyword),
      )
        ? "readonly "
        : "";
      return `${readonly}${member.getName()}${optional}: ${print(checker.getTypeOfSymbol(member))}`;
    });
  return `{ ${members.join("; ")} }`;
}

function describeClass(checker: ts.TypeChecker, symbol: ts.Symbol, where: ts.SourceFile, print: (type: ts.Type) => string): string {
  const instanceType = checker.getDeclaredTypeOfSymbol(symbol);
  const staticType = checker.getTypeOfSymbol(symbol);
  const bases = instanceType.isClassOrInterface() ? checker.getBaseTypes(instanceType).map(print) : [];
  const constructors = checker
    .getSignaturesOfType(staticType, ts.SignatureKind.Construct)
    .map((signature) => checker.signatureToString(signature, where, FORMAT_FLAGS, ts.SignatureKind.Construct));
  const statics = checker
    .getPropertiesOfType(staticType)
    .filter((member) => member.getName() !== "prototype" && isPublicMember(member) && isOwnMember(member, symbol))
    .map((member) => `static ${member.getName()}: ${print(checker.getTypeOfSymbol(member))}`);
  const parts = [...(bases.length > 0 ? [`extends ${bases.join(", ")}`] : []), ...constructors, ...statics];
  const members = describeMembers(checker, instanceType, print, symbol);
  return `${typeParameters(symbol)}${parts.map((part) => `${part}; `).join("")}${members}`;
}

/** One line, no machine paths, cut at MAX_SIGNATURE_LENGTH with a hash of the whole. */
export function compact(signature: string): string {
  const oneLine = signature
    .replace(/import\("[^"]*"\)\./g, "")
    .replace(/\s+/g, " ")
    .trim();
  if (oneLine.length <= MAX_SIGNATURE_LENGTH) return oneLine;
  const hash = createHash("sha256").update(oneLine).digest("hex").slice(0, 8);
  return `${oneLine.slice(0, MAX_SIGNATURE_LENGTH)}… [${oneLine.length} chars, sha256 ${hash}]`;
}

export function renderReport(api: PackageApi): string {
  const lines = [
    `# Public API of ${api.name}`,
    "",
    `Generated by \`${UPDATE_COMMAND}\` (tooling/api-report) from the \`@dcnpi/source\` entries of the exports map.`,
    "Do not edit by hand. A change here is a change to the public surface: review it like code.",
    "Each line: kind, name, the type the checker prints (cut after " + MAX_SIGNATURE_LENGTH + " characters, with a hash of the whole).",
  ];
  for (const entry of api.entries) {
    lines.push("", `## ${entry.importPath}`, "", `Source: \`${entry.sourceFile}\` (${entry.items.length} names)`, "", "```ts");
    for (const item of entry.items) lines.push(`${item.kind} ${item.name}: ${item.signature}`);
    lines.push("```");
  }
  return `${lines.join("\n")}\n`;
}

interface ParsedLine {
  key: string;
  line: string;
}

/** Reads the rows back out of a rendered report: `entry kind name` -> line. */
export function parseReport(text: string): Map<string, ParsedLine> {
  const rows = new Map<string, ParsedLine>();
  let entry = "";
  let inBlock = false;
  for (const line of text.split("\n")) {
    if (line.startsWith("## ")) entry = line.slice(3).trim();
    else if (line.startsWith("```")) inBlock = !inBlock;
    else if (inBlock) {
      const match = /^(\S+) ([^:]+): /.exec(line);
      const key = match === null ? `${entry} ${line}` : `${entry} ${match[1]} ${match[2]}`;
      rows.set(key, { key, line: `${entry}: ${line}` });
    }
  }
  return rows;
}

export interface ReportDrift {
  file: string;
  /** The report file does not exist yet, or a package with no entries still has one. */
  missing: boolean;
  stale: boolean;
  added: string[];
  removed: string[];
  changed: Array<{ before: string; after: string }>;
  expected: string | undefined;
}

export function compareReports(
  packages: readonly WorkspacePackage[],
  apis: readonly PackageApi[],
  root: string = workspaceRoot,
): ReportDrift[] {
  const drifts: ReportDrift[] = [];
  const byName = new Map(apis.map((api) => [api.name, api]));
  for (const pkg of packages) {
    const file = reportPath(pkg);
    const api = byName.get(pkg.name);
    const actual = existsSync(join(root, file)) ? readFileSync(join(root, file), "utf8") : undefined;
    const expected = api === undefined ? undefined : renderReport(api);
    if (actual === expected) continue;
    const before = parseReport(actual ?? "");
    const after = parseReport(expected ?? "");
    const added = [...after.keys()].filter((key) => !before.has(key)).map((key) => after.get(key)!.line);
    const removed = [...before.keys()].filter((key) => !after.has(key)).map((key) => before.get(key)!.line);
    const changed = [...after.keys()]
      .filter((key) => before.has(key) && before.get(key)!.line !== after.get(key)!.line)
      .map((key) => ({ before: before.get(key)!.line, after: after.get(key)!.line }));
    drifts.push({ file, missing: actual === undefined, stale: expected === undefined, added, removed, changed, expected });
  }
  return drifts;
}

export function formatDrift(drifts: readonly ReportDrift[]): string {
  if (drifts.length === 0) return "api-report: every package's public API matches its api-report.md";
  const out: string[] = ["api-report: the public API differs from the committed reports:"];
  for (const drift of drifts) {
    out.push(
      "",
      `${drift.file}${drift.missing ? " (missing)" : ""}${drift.stale ? " (the package has no @dcnpi/source entries any more: delete the file)" : ""}`,
    );
    for (const line of drift.added) out.push(`  + ${line}`);
    for (const line of drift.removed) out.push(`  - ${line}`);
    for (const { before, after } of drift.changed) out.push(`  ~ was ${before}`, `    now ${after}`);
    if (drift.added.length + drift.removed.length + drift.changed.length === 0 && !drift.missing && !drift.stale)
      out.push("  (only the header or the order differs)");
  }
  out.push("", `If the change is intended, run \`${UPDATE_COMMAND}\` and commit the updated api-report.md files.`);
  return out.join("\n");
}

export interface ExportStar {
  file: string;
  line: number;
  text: string;
}

/** `export * from` and `export * as x from` in a package's src: banned by issue 13 (the surface must be listed). */
export function findExportStars(text: string, file: string): ExportStar[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const stars: ExportStar[] = [];
  for (const statement of source.statements) {
    if (!ts.isExportDeclaration(statement)) continue;
    if (statement.exportClause !== undefined && !ts.isNamespaceExport(statement.exportClause)) continue;
    const line = source.getLineAndCharacterOfPosition(statement.getStart(source)).line + 1;
    stars.push({ file, line, text: statement.getText(source) });
  }
  return stars;
}
