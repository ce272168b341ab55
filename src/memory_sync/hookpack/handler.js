// memory-sync's OpenClaw hook: when a session closes, complete the day's memory file in the
// background (memory-sync backfill --incremental --preserve). Written by `memory-sync hook
// install`; see HOOK.md. No dependencies beyond Node's own modules.
import { spawn } from "node:child_process";
import { appendFileSync, chmodSync, closeSync, mkdirSync, openSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const HERE = dirname(fileURLToPath(import.meta.url));
const runs = new Map(); // agent -> { running, pending }
const said = new Set();

function config() {
  try {
    return JSON.parse(readFileSync(join(HERE, "config.json"), "utf8"));
  } catch {
    return {};
  }
}

function sayOnce(key, text) {
  if (said.has(key)) return;
  said.add(key);
  console.error(`[memory-sync] ${text}`);
}

function logFile(cfg, agent) {
  const folder = cfg.logDir || HERE;
  mkdirSync(folder, { recursive: true, mode: 0o700 });
  const path = join(folder, `hook-${agent.replace(/[^\w.-]/g, "_")}.log`);
  const fd = openSync(path, "a", 0o600);
  try {
    chmodSync(path, 0o600);
  } catch {}
  return { path, fd };
}

function start(agent) {
  const entry = runs.get(agent) || { running: false, pending: false };
  runs.set(agent, entry);
  if (entry.running) {
    entry.pending = true; // folded into one more run when this one ends
    return;
  }
  entry.running = true;
  const cfg = config();
  const command = cfg.command || "memory-sync";
  const args = ["backfill", "--incremental", "--preserve", "--agent", agent, "-q", "--no-color"];
  if (cfg.stateDir) args.push("--openclaw-dir", cfg.stateDir);
  let log;
  try {
    log = logFile(cfg, agent);
    appendFileSync(log.fd, `--- ${new Date().toISOString()} ${command} ${args.join(" ")}\n`);
  } catch (err) {
    sayOnce("log", `cannot write its log (${err.message}); running without one`);
  }
  const finish = (code) => {
    entry.running = false;
    if (code !== 0 && code !== null && log) {
      sayOnce(`exit-${code}`, `memory-sync ended with exit code ${code}; see ${log.path}`);
    }
    if (entry.pending) {
      entry.pending = false;
      start(agent);
    }
  };
  let child;
  try {
    child = spawn(command, args, {
      stdio: ["ignore", log ? log.fd : "ignore", log ? log.fd : "ignore"],
      env: process.env,
    });
  } catch (err) {
    sayOnce("spawn", `cannot run ${command} (${err.message}): install memory-sync, then run \`memory-sync hook install\` again`);
    finish(null);
    return;
  } finally {
    if (log) closeSync(log.fd);
  }
  child.on("error", (err) => {
    sayOnce("missing", `cannot run ${command} (${err.code || err.message}): install memory-sync, then run \`memory-sync hook install\` again${log ? `; log: ${log.path}` : ""}`);
    finish(null);
  });
  child.on("exit", (code) => finish(code));
  child.unref();
}

export default function handler(event) {
  const cfg = config();
  const agent = (event && event.context && event.context.agentId) || cfg.defaultAgent || "main";
  if (Array.isArray(cfg.agents) && cfg.agents.length > 0 && !cfg.agents.includes(agent)) return;
  // after the event's own work (the reset writes the transcript first); never awaited
  setTimeout(() => start(agent), cfg.delayMs ?? 2000).unref();
}
