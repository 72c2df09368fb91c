// Progressive enhancement of the Leuven scores page: every change is saved as it is made.
// Without JavaScript the table is one form with a Save button; with it, each radio change
// is posted (after a short pause, so arrowing through 1..5 sends one request) to a JSON
// endpoint, one request at a time, carrying the screening's revision. A 409 means someone
// else saved in between: we stop and say so rather than overwrite their scores.
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
  const status = form.querySelector("[data-autosave-status]");
  const revision = form.querySelector("input[name='revision']");
  const csrf = form.querySelector("input[name='csrfmiddlewaretoken']").value;
  const timers = new Map();
  const queue = [];
  let busy = false;
  let stopped = false;
  let lastSaved = "";

  const show = (state, text) => {
    form.dataset.autosaveState = state;
    status.textContent = text;
  };

  const settle = () => {
    if (stopped) return;
    if (busy || queue.length || timers.size) {
      show("saving", "Saving…");
    } else if (lastSaved) {
      show("saved", `Saved at ${lastSaved}`);
    }
  };

  const updateZone = (childId, zone) => {
    const cell = form.querySelector(`tr[data-child="${childId}"] [data-zone-cell]`);
    if (cell) cell.innerHTML = ZONE_TAGS[zone] ?? ZONE_TAGS[""];
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
          revision: Number(revision.value),
        }),
      });
      const body = await response.json().catch(() => ({}));
      if (response.ok) {
        revision.value = body.revision;
        lastSaved = body.saved_at;
        updateZone(change.child, body.zone);
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

  form.addEventListener("change", (event) => {
    const input = event.target;
    if (stopped || !input.matches("input.kqm-score__input")) return;
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
  });
}
