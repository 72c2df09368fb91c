// Progressive enhancement of the Leuven scores page: every change is saved as it is made.
// Without JavaScript the table is one form with a Save button; with it, each radio change
// is posted (after a short pause, so arrowing through 1..5 sends one request) to a JSON
// endpoint, one request at a time, carrying what the page showed for that child and
// scale (its "base"). Only that one score is checked: two people scoring different
// children both save. A 409 means someone else changed the same score: their value is
// shown beside it, ours stays checked, and choosing it again replaces theirs.
// The save status (a polite live region) also says when a child changes zone; a conflict
// or a failed save is an alert, announced at once (announce.js).
import { saveAnnouncer } from "./announce.js";

const form = document.querySelector("form[data-autosave-url]");

const ZONE_TAGS = {
  red: '<strong class="govuk-tag govuk-tag--red">Red</strong>',
  amber: '<strong class="govuk-tag govuk-tag--orange">Amber</strong>',
  green: '<strong class="govuk-tag govuk-tag--green">Green</strong>',
  "": '<strong class="govuk-tag govuk-tag--grey">Not scored</strong>',
};
const PAUSE_MS = 300;

if (form) {
  const url = form.dataset.autosaveUrl;
  const say = saveAnnouncer(form.querySelector("[data-autosave-status]"), "kqm-autosave__problem");
  const revision = form.querySelector("input[name='revision']");
  const csrf = form.querySelector("input[name='csrfmiddlewaretoken']").value;
  const timers = new Map();
  const bases = new Map();
  form.querySelectorAll("input.kqm-score__input").forEach((input) => {
    if (!bases.has(input.name)) bases.set(input.name, "");
    if (input.checked) bases.set(input.name, input.value);
  });
  const conflicts = new Set();
  const queue = [];
  let busy = false;
  let stopped = false;
  let lastSaved = "";
  let zoneChange = "";

  const show = (state, text) => {
    form.dataset.autosaveState = state;
    say(text, { alert: state === "conflict" || state === "error" });
  };

  const settle = () => {
    if (stopped) return;
    if (busy || queue.length || timers.size) {
      show("saving", "Saving…");
    } else if (lastSaved) {
      show("saved", `Saved at ${lastSaved}.${zoneChange}`);
    }
  };

  // The zone tag of the child's row; a change of zone is said with the next status.
  const updateZone = (childId, zone) => {
    const row = form.querySelector(`tr[data-child="${childId}"]`);
    const cell = row && row.querySelector("[data-zone-cell]");
    if (!cell) return;
    const now = zone in ZONE_TAGS ? zone : "";
    zoneChange = "";
    if (cell.dataset.zone === now) return; // the tag stays as it is
    const code = row.querySelector("th").firstChild.textContent.trim();
    zoneChange = now ? ` ${code} is now in the ${now} zone.` : ` ${code} is not scored.`;
    cell.dataset.zone = now;
    cell.innerHTML = ZONE_TAGS[now];
  };

  const pump = async () => {
    if (busy || stopped || !queue.length) {
      settle();
      return;
    }
    busy = true;
    const change = queue.shift();
    settle();
    try {
      const response = await fetch(url, {
        method: "POST",
        credentials: "same-origin",
        headers: {
          "Content-Type": "application/json",
          Accept: "application/json",
          "X-CSRFToken": csrf,
        },
        body: JSON.stringify({
          child: change.child,
          scale: change.scale,
          value: change.value,
          base: bases.get(change.key) ?? "",
          revision: Number(revision.value),
        }),
      });
      const body = await response.json().catch(() => ({}));
      const row = form.querySelector(`tr[data-child="${change.child}"]`);
      const note = row && row.querySelector("[data-conflict]");
      if (response.ok) {
        bases.set(change.key, change.value);
        if (note) note.remove();
        revision.value = body.revision;
        lastSaved = body.saved_at;
        updateZone(change.child, body.zone);
      } else if (response.status === 409 && "theirs" in body) {
        bases.set(change.key, body.theirs);
        conflicts.add(change.key);
        if (row) {
          const message = note || document.createElement("p");
          message.className = "govuk-error-message";
          message.dataset.conflict = change.key;
          message.textContent = body.error;
          if (!note) row.querySelector("th, td").append(message);
        }
        show("conflict", "One score was changed by someone else: see the child's row.");
      } else if (response.status === 409) {
        stopped = true;
        show("conflict", body.error);
      } else {
        stopped = true;
        show(
          "error",
          body.error || "Your last change could not be saved. Use the Save scores button.",
        );
      }
    } catch (error) {
      stopped = true;
      show(
        "error",
        "Your last change could not be saved: check your connection, then use the Save scores button.",
      );
    }
    busy = false;
    pump();
  };

  const schedule = (input) => {
    const [scale, child] = input.name.split("-");
    const key = input.name;
    window.clearTimeout(timers.get(key));
    timers.set(
      key,
      window.setTimeout(() => {
        timers.delete(key);
        const waiting = queue.findIndex((item) => item.key === key);
        if (waiting !== -1) queue.splice(waiting, 1);
        const checked = form.querySelector(`input[name="${key}"]:checked`);
        queue.push({ key, child, scale, value: checked ? checked.value : "" });
        pump();
      }, PAUSE_MS),
    );
    settle();
  };

  form.addEventListener("change", (event) => {
    const input = event.target;
    if (stopped || !input.matches("input.kqm-score__input")) return;
    schedule(input);
  });
  // After a conflict, choosing the same score again (no "change") replaces theirs.
  form.addEventListener("click", (event) => {
    const input = event.target;
    if (stopped || !input.matches("input.kqm-score__input") || !conflicts.has(input.name)) return;
    conflicts.delete(input.name);
    schedule(input);
  });
}
