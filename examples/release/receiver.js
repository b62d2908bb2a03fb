// The demo's notification receiver: a local HTTP server standing in for a team's webhook endpoint.
// Appends each request (path and JSON body) as one line to the file named by its first argument and
// writes the port it listens on to the second.
const { appendFileSync, writeFileSync } = require("node:fs");
const { createServer } = require("node:http");

const [received, portFile] = process.argv.slice(2);
const server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => (body += chunk));
    req.on("end", () => {
        appendFileSync(received, `${JSON.stringify({ path: req.url, body: JSON.parse(body || "null") })}\n`);
        res.writeHead(200, { "content-type": "application/json" });
        res.end("{}");
    });
});
server.listen(0, "127.0.0.1", () => writeFileSync(portFile, String(server.address().port)));
// Stops with the demo (SIGTERM), or after ten minutes if the demo was killed.
setTimeout(() => process.exit(0), 600_000).unref();
process.on("SIGTERM", () => server.close(() => process.exit(0)));
