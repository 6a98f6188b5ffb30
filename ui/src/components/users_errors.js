// The users and token endpoints name a refused field in `errors` ("role", "name", "username" when taken), but
// state some refusals only in prose ("password must be at least 8 characters", "the current password is wrong",
// "the last active admin cannot be demoted"). These helpers put either next to the field it is about, so useForm
// shows it there.
import { ApiError } from "../api.js";
import { check, renameFields } from "./form.js";

/// A rule for a refusal stated only in the detail: [form field, (error, detail) => whether it is about it]. The
/// first rule that matches wins.
export const about = {
  username: ["username", (e, d) => /\busername\b/i.test(d)],
  currentPassword: ["current_password", (e, d) => /current password/i.test(d)],
  password: ["password", (e, d) => /\bpassword\b/i.test(d)],
  role: ["role", (e, d) => /\brole\b|last active admin/i.test(d)],
};

// API field names the users forms call otherwise: the token form picks its expiry date as "expires_on".
const formNames = { expires_at: "expires_on" };

/// Wraps a form action: an ApiError's `errors` go to the form's fields (renamed by `rename` {api: form} where the
/// form calls them otherwise); one without them gets a field from `rules`, which read its detail.
export function withFieldErrors(action, rules, rename = {}) {
  return async (values) => {
    try {
      return await action(values);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      renameFields(error, { ...formNames, ...rename });
      if (!Object.keys(error.fields).length) {
        const detail = error.problem.detail || "";
        const rule = rules.find(([, test]) => test(error, detail));
        if (rule) error.fields = { [rule[0]]: detail };
      }
      throw error;
    }
  };
}

export const roleNames = [
  ["viewer", "Viewer"],
  ["operator", "Operator"],
  ["admin", "Admin"],
];

/// Roles up to and including `role` (an API token may not exceed its creator's).
export function rolesUpTo(role) {
  const at = roleNames.findIndex(([r]) => r === role);
  return roleNames.slice(0, at + 1);
}

/// The password rules the server applies (8 to 1024 characters), checked before sending.
export const passwordRules = [
  (v) => (!v ? "Required." : null),
  (v) => (v.length < 8 ? "At least 8 characters." : null),
  check.maxLength(1024),
];
/// The repeated password of a form that asks for it twice (field `confirm` beside `password`).
export const confirmRules = [(v, all) => (v !== all.password ? "The passwords differ." : null)];
export const usernamePattern = /^[A-Za-z0-9._@-]{1,64}$/;
