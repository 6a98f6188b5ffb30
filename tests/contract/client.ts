// A small client of gatehouse typed by the OpenAPI document (generated/schema.d.ts comes from openapi-typescript):
// it lists servers with filters and creates a task. `tsc --noEmit` must accept it, and must refuse each mistake
// marked below (an expected error that does not happen fails the check): a loose document would let them through.
import type { paths } from "./generated/schema";

type ServerQuery = NonNullable<paths["/api/v1/servers"]["get"]["parameters"]["query"]>;
type TaskBody = paths["/api/v1/tasks"]["post"]["requestBody"]["content"]["application/json"];
type ServerBody = paths["/api/v1/servers"]["post"]["requestBody"]["content"]["application/json"];
type TaskStates = NonNullable<paths["/api/v1/tasks"]["get"]["parameters"]["query"]>["state"];

async function call(base: string, token: string, method: string, path: string, body?: unknown): Promise<unknown> {
    const response = await fetch(base + path, {
        method,
        headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
    return response.json();
}

export async function listWebServers(base: string, token: string): Promise<unknown> {
    const query: ServerQuery = { tag: "web", status: "online", q: "eu", limit: 100 };
    const text = new URLSearchParams(Object.entries(query).map(([k, v]) => [k, String(v)])).toString();
    return call(base, token, "GET", `/api/v1/servers?${text}`);
}

export async function runUptime(base: string, token: string): Promise<unknown> {
    const task: TaskBody = { targets: ["web-1", "web-2"], command: "uptime", timeout_s: 30, concurrency: 2 };
    return call(base, token, "POST", "/api/v1/tasks", task);
}

export const server: ServerBody = {
    name: "web-1",
    address: "10.0.0.5",
    ssh_user: "deploy",
    auth_method: "key",
    ssh_key_id: "0193...",
    tags: ["web"],
    postgres: { port: 5432, pool_class: "stats_db" },
};

export const running: TaskStates = "running";

// @ts-expect-error a field the API does not take
export const typo: TaskBody = { targets: ["web-1"], comand: "uptime" };
// @ts-expect-error command is required
export const missing: TaskBody = { targets: ["web-1"] };
// @ts-expect-error ssh_port is an integer
export const port: ServerBody = { name: "a", address: "b", ssh_user: "c", auth_method: "password", ssh_port: "22" };
// @ts-expect-error auth_method is password or key
export const method: ServerBody = { name: "a", address: "b", ssh_user: "c", auth_method: "telepathy" };
// @ts-expect-error no such task state
export const sleeping: TaskStates = "sleeping";
