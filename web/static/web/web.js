/* Loaded on every page of the web application, right after viewflow's scripts. */
/* Plain page loads instead of Turbo Drive: downloads, status codes and the back button behave as users expect. */
if (window.Turbo) { window.Turbo.session.drive = false; }

/* Confirmation before the actions that matter (templates/web/_confirm.html): a submit button with
   data-confirm="<dialog id>" opens that <dialog>, which states the consequence; «Xác nhận …» sends
   the form with that button, «Hủy» or Esc closes it. Without scripts the button sends the form at
   once: the dialog is a courtesy, the server checks every action. */
document.addEventListener("click", function (event) {
  var target = event.target instanceof Element ? event.target : null;
  if (!target) { return; }
  var button = target.closest("button[data-confirm]");
  if (button && button.dataset.confirmed !== "1") {
    var dialog = document.getElementById(button.dataset.confirm);
    if (!dialog || typeof dialog.showModal !== "function") { return; }
    event.preventDefault();
    dialog.confirmButton = button;
    dialog.showModal();
    var cancel = dialog.querySelector("[data-confirm-no]");
    if (cancel) { cancel.focus(); }  // the safe choice has the focus; Enter does not act by mistake
    return;
  }
  var yes = target.closest("dialog [data-confirm-yes]");
  if (yes) {
    var opened = yes.closest("dialog");
    var chosen = opened.confirmButton;
    opened.close();
    if (chosen) {
      chosen.dataset.confirmed = "1";
      chosen.click();  // submits with the button's name and value, as a plain click would
      delete chosen.dataset.confirmed;  // asked again if the page stays (the form did not go)
    }
    return;
  }
  var no = target.closest("dialog [data-confirm-no]");
  if (no) { no.closest("dialog").close(); }
});
