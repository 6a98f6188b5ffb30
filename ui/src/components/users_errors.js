// The users and token endpoints refuse a field with a problem whose detail names it ("password must be at least 8
// characters", "username 'x' is taken", "the current password is wrong") but without an `errors` object. These
// helpers put that detail next to the field it is about, so useForm shows it there.
import { ApiError } from "../api.js";

/// A rule: [form field, (error, detail) => whether the problem is about it]. The first rule that matches wins.
export const about = {
  username: ["username", (e, d) => e.status === 409 || /\busername\b/i.test(d)],
  currentPassword: ["current_password", (e, d) => /current password/i.test(d)],
  password: ["password", (e, d) => /\bpassword\b/i.test(d)],
  role: ["role", (e, d) => /\brole\b|last active admin/i.test(d)],
  name: ["name", (e, d) => /\bname\b/i.test(d)],
  expires: ["expires", (e, d) => /expires/i.test(d)],
};

/// Wraps a form action: an ApiError without field errors gets one from `rules`; `rename` maps API field names
/// the server did send ({api: form}) to the form's names.
export function withFieldErrors(action, rules, rename = {}) {
  return async (values) => {
    try {
      return await action(values);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      const fields = {};
      for (const [key, message] of Object.entries(error.fields)) fields[rename[key] || key] = message;
      if (!Object.keys(fields).length) {
        const detail = error.problem.detail || "";
        const rule = rules.find(([, test]) => test(error, detail));
        if (rule) fields[rule[0]] = detail;
      }
      error.fields = fields;
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
  (v) => (v.length > 1024 ? "At most 1024 characters." : null),
];
export const usernamePattern = /^[A-Za-z0-9._@-]{1,64}$/;
