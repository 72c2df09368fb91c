// What an autosaving page says about its saves. Progress ("Saved at 10:02") goes to the
// page's status line, a polite live region; a problem that means something was not saved
// (someone else's change, a lost connection) goes to an alert beside it (role=alert), so
// a screen reader says it at once. The alert is made when the page loads: a live region
// has to be in the page before its text changes to be announced.
export const saveAnnouncer = (status, problemClass) => {
  const alert = document.createElement("p");
  alert.className = `${status.className} ${problemClass}`;
  alert.setAttribute("role", "alert");
  alert.dataset.autosaveAlert = "";
  status.after(alert);
  return (text, { problem = false, alert: urgent = false } = {}) => {
    status.textContent = urgent ? "" : text;
    status.classList.toggle(problemClass, problem && !urgent);
    alert.textContent = urgent ? text : "";
  };
};
