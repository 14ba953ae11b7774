// nginx as a reference subject of the proxy benchmark, when the `nginx` binary is
// installed (Debian's package): a key-injecting reverse proxy with upstream keep-alive,
// one worker, no access log. `startNginx` resolves to undefined when nginx is missing.
import { execFileSync, spawn } from "node:child_process"
import { mkdtempSync, writeFileSync } from "node:fs"
import { createServer } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"

const freePort = () =>
  new Promise((resolve) => {
    const server = createServer()
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address()
      server.close(() => resolve(port))
    })
  })

const nginxBinary = () => {
  for (const candidate of ["/usr/sbin/nginx", "/usr/local/sbin/nginx", "/usr/bin/nginx"]) {
    try {
      execFileSync(candidate, ["-v"], { stdio: "ignore" })
      return candidate
    } catch {
      // not here
    }
  }
  return undefined
}

const childPids = (pid) => {
  try {
    return execFileSync("pgrep", ["-P", String(pid)], { encoding: "utf8" }).trim().split("\n").map(Number)
  } catch {
    return []
  }
}

export const startNginx = async (upstreamOrigin, upstreamKey) => {
  const binary = nginxBinary()
  if (binary === undefined) return undefined
  const prefix = mkdtempSync(join(tmpdir(), "filebatch-nginx-"))
  const port = await freePort()
  const upstream = new URL(upstreamOrigin)
  writeFileSync(
    join(prefix, "nginx.conf"),
    `worker_processes 1;
daemon off;
pid ${prefix}/nginx.pid;
error_log ${prefix}/error.log;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${prefix}/body;
  proxy_temp_path ${prefix}/proxy;
  fastcgi_temp_path ${prefix}/fastcgi;
  uwsgi_temp_path ${prefix}/uwsgi;
  scgi_temp_path ${prefix}/scgi;
  upstream api { server ${upstream.host}; keepalive 128; }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://api;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Authorization "Bearer ${upstreamKey}";
    }
  }
}
`
  )
  const child = spawn(binary, ["-p", prefix, "-c", join(prefix, "nginx.conf")], { stdio: "ignore" })
  const url = `http://127.0.0.1:${port}`
  for (let tries = 0;; tries++) {
    try {
      await fetch(`${url}/healthz`)
      break
    } catch (error) {
      if (tries > 200) throw error
      await new Promise((resolve) => setTimeout(resolve, 25))
    }
  }
  return {
    url,
    child,
    /** The master and its worker: the CPU of both is nginx's. */
    pids: () => [child.pid, ...childPids(child.pid)],
    stop: () => new Promise((done) => (child.once("exit", done), child.kill("SIGQUIT")))
  }
}
