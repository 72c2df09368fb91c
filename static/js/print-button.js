// Shows "Print" buttons (hidden without JavaScript) and prints the page when pressed.
for (const button of document.querySelectorAll("[data-kqm-print]")) {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
}
