// Servers to choose for a task or a key deploy: a search the server filters (asked once typing pauses, not at
// every keystroke), a checkbox per server found, "More servers" while the list goes on.
import { useEffect, useState } from "preact/hooks";
import { html } from "../html.js";
import { Badge } from "./badge.js";
import { Empty, ErrorMessage, Loading } from "./feedback.js";
import { usePaged } from "./list.js";

const kTypingPauseMs = 300;

/// `chosen`: the chosen servers' ids; `setChosen(update)` as from useState. `class`: the fieldset's own class.
export function ServerPicker({ chosen, setChosen, class: className }) {
  const [text, setText] = useState("");
  const [q, setQ] = useState("");
  useEffect(() => {
    const timer = setTimeout(() => setQ(text.trim()), kTypingPauseMs);
    return () => clearTimeout(timer);
  }, [text]);
  const list = usePaged("/api/v1/servers", { q }, { limit: 25 });
  const toggle = (id) => setChosen((c) => (c.includes(id) ? c.filter((x) => x !== id) : [...c, id]));
  // Enter searches at once; in a form it must not send the form (the search is not the form's last step).
  const enter = (e) => {
    if (e.key !== "Enter") return;
    e.preventDefault();
    setQ(text.trim());
  };
  return html`<fieldset class=${className}>
    <legend>Servers (${chosen.length} chosen)</legend>
    <label for="server-pick-q">Find a server</label>
    <input id="server-pick-q" type="search" value=${text} placeholder="name or address" autocomplete="off"
      onInput=${(e) => setText(e.currentTarget.value)} onKeyDown=${enter} />
    <${ErrorMessage} error=${list.error} retry=${list.retry} />
    ${list.loading && list.items.length === 0 && html`<${Loading} what="servers" />`}
    ${!list.loading && !list.error && list.items.length === 0 &&
    html`<${Empty}>${q ? "No server matches." : "No server yet."}<//>`}
    <ul class="picker">
      ${list.items.map((s) => html`<li key=${s.id}>
        <label><input type="checkbox" checked=${chosen.includes(s.id)} onChange=${() => toggle(s.id)} />
          ${" "}${s.name} <span class="hint">${s.ssh_user}@${s.address}</span> <${Badge} value=${s.status} /></label>
      </li>`)}
    </ul>
    ${list.more && html`<button type="button" onClick=${list.loadMore} disabled=${list.loading}>More servers</button>`}
  </fieldset>`;
}
