/**
 * A static file server for the built verify page, on a local port. GET and HEAD only, no
 * directory listing, nothing outside the folder, every response `no-store` and `nosniff`.
 */
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as path from "node:path";

/** Content types of the files a built page holds. */
const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".png": "image/png",
  ".svg": "image/svg+xml",
  ".wasm": "application/wasm",
  ".txt": "text/plain; charset=utf-8",
};

/** A running server. */
export interface SiteServer {
  /** `http://host:port/`. */
  url: string;
  port: number;
  close(): Promise<void>;
}

/** The file `urlPath` names inside `root`, or null when it is outside it or not a file. */
export function resolveInside(root: string, urlPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes("\0")) return null;
  let file = path.resolve(root, `.${path.posix.normalize(`/${decoded}`)}`);
  if (file !== root && !file.startsWith(root + path.sep)) return null;
  if (fs.existsSync(file) && fs.statSync(file).isDirectory()) file = path.join(file, "index.html");
  return fs.existsSync(file) && fs.statSync(file).isFile() ? file : null;
}

function handler(root: string): http.RequestListener {
  return (request, response) => {
    const headers = {
      "Cache-Control": "no-store",
      "X-Content-Type-Options": "nosniff",
      "Referrer-Policy": "no-referrer",
    };
    if (request.method !== "GET" && request.method !== "HEAD") {
      response.writeHead(405, { ...headers, Allow: "GET, HEAD" }).end();
      return;
    }
    const pathname = new URL(request.url ?? "/", "http://localhost").pathname;
    const file = resolveInside(root, pathname);
    if (file === null) {
      response.writeHead(404, { ...headers, "Content-Type": TYPES[".txt"] }).end("not found\n");
      return;
    }
    const type = TYPES[path.extname(file)] ?? "application/octet-stream";
    response.writeHead(200, {
      ...headers,
      "Content-Type": type,
      "Content-Length": fs.statSync(file).size,
    });
    if (request.method === "HEAD") response.end();
    else fs.createReadStream(file).pipe(response);
  };
}

/**
 * Serves `dir` on `host:port` (default 127.0.0.1, port 0 = any free port); resolves once it
 * listens. A port in use is refused with an error naming it.
 */
export function serveSite(
  dir: string,
  options: { port?: number; host?: string } = {},
): Promise<SiteServer> {
  const root = path.resolve(dir);
  if (!fs.existsSync(path.join(root, "index.html"))) {
    return Promise.reject(new Error(`${root}: no index.html (build the page first)`));
  }
  const host = options.host ?? "127.0.0.1";
  const server = http.createServer(handler(root));
  return new Promise((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) =>
      reject(
        error.code === "EADDRINUSE"
          ? new Error(`port ${options.port} on ${host} is already in use: pick another with --port`)
          : error,
      ),
    );
    server.listen(options.port ?? 0, host, () => {
      const port = (server.address() as AddressInfo).port;
      resolve({
        url: `http://${host}:${port}/`,
        port,
        close: () =>
          new Promise<void>((done, fail) => {
            server.close((error) => (error ? fail(error) : done()));
            server.closeAllConnections();
          }),
      });
    });
  });
}
