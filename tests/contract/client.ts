// A small client of gatehouse typed by the OpenAPI document (generated/schema.d.ts comes from openapi-typescript):
// it lists servers with filters and creates a task. `tsc --noEmit` must accept it, and must refuse each mistake
// marked below (an expected error that does not happen fails the check): a loose document would let them through.
import type { components, paths } from "./generated/schema";

type ServerQuery = NonNullable<paths["/api/v1/servers"]["get"]["parameters"]["query"]>;
type TaskBody = paths["/api/v1/tasks"]["post"]["requestBody"]["content"]["application/json"];
type ServerBody = paths["/api/v1/servers"]["post"]["requestBody"]["content"]["application/json"];
type TaskStates = NonNullable<paths["/api/v1/tasks"]["get"]["parameters"]["query"]>["state"];
type ServerPage = paths["/api/v1/servers"]["get"]["responses"]["200"]["content"]["application/json"];
type CreatedTask = paths["/api/v1/tasks"]["post"]["responses"]["202"]["content"]["application/json"];
type Server = components["schemas"]["Server"];

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

// Answers are typed too: a page of servers, a task's targets.
export function onlineNames(page: ServerPage): string[] {
    return page.items.filter((s) => s.status === "online").map((s) => s.name);
}
export function failedTargets(task: CreatedTask): string[] {
    return task.targets.filter((t) => t.state === "failed" || t.state === "timed_out").map((t) => t.server_name);
}
export const more = (page: ServerPage): string | null => page.next_cursor;

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
// @ts-expect-error a response field that does not exist
export const hostname = (s: Server) => s.hostname;
// @ts-expect-error last_checked is null until the first probe
export const checked = (s: Server): string => s.last_checked;
// @ts-expect-error no such server status
export const asleep = (s: Server) => s.status === "asleep";
