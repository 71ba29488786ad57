// The floor: a bare node:http server answering a POST, to measure what this machine adds on its own.
import { createServer } from "node:http";

const port = Number(process.argv[2] ?? 18081);
createServer((req, res) => {
  req.resume();
  req.on("end", () => {
    res.setHeader("content-type", "application/json");
    res.end('{"ok":true}');
  });
}).listen(port, "127.0.0.1", () => process.stdout.write(`floor listening on ${port}\n`));
