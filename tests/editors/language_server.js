// Drives VS Code's JSON language service (vscode-json-languageservice) on one document.
// Input on stdin, JSON: {document: {uri, text}, schemas: [{uri, fileMatch}], completeAt: [{line, character}],
//                        local: {prefix, folder}}
// Output on stdout, JSON: {completions: [[label, ...], ...], diagnostics: [{message, severity, range}],
//                          requested: [every schema URI the service asked for, in order]}
// Schemas load from disk only: file:// URIs, and URIs under `local.prefix` read from `local.folder`
// (the bundled schemas by their $id); anything else is refused, so the test never touches the network.
"use strict";

const fs = require("fs");
const { fileURLToPath } = require("url");
const { getLanguageService, TextDocument } = require("vscode-json-languageservice");

function readSchema(uri, local) {
  if (uri.startsWith("file://")) {
    return fs.promises.readFile(fileURLToPath(uri), "utf8");
  }
  if (local && uri.startsWith(local.prefix)) {
    return fs.promises.readFile(local.folder + "/" + uri.slice(local.prefix.length), "utf8");
  }
  return Promise.reject(new Error(`refusing to fetch ${uri}`));
}

async function main() {
  const request = JSON.parse(fs.readFileSync(0, "utf8"));
  const requested = [];
  const service = getLanguageService({
    schemaRequestService: (uri) => {
      requested.push(uri);
      return readSchema(uri, request.local);
    },
    workspaceContext: { resolveRelativePath: (relative, resource) => new URL(relative, resource).href },
  });
  service.configure({ validate: true, allowComments: false, schemas: request.schemas || [] });
  const document = TextDocument.create(request.document.uri, "json", 1, request.document.text);
  const parsed = service.parseJSONDocument(document);
  const completions = [];
  for (const position of request.completeAt || []) {
    const list = await service.doComplete(document, position, parsed);
    completions.push(list ? list.items.map((item) => item.label) : []);
  }
  const diagnostics = await service.doValidation(document, parsed, { schemaValidation: "error" });
  process.stdout.write(
    JSON.stringify({
      completions,
      diagnostics: diagnostics.map((d) => ({ message: d.message, severity: d.severity, range: d.range })),
      requested,
    }),
  );
}

main().catch((error) => {
  process.stderr.write(String(error && error.stack ? error.stack : error) + "\n");
  process.exit(2);
});
