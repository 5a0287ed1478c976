// sandbot dashboard: live updates only. Every page works without this file.
(function () {
  'use strict';

  // Sandbox lists and pages: refresh the #live block from the server's own
  // rendering of it every two seconds while the tab is visible.
  var live = document.getElementById('live');
  if (live && live.dataset.live) {
    var busy = false;
    setInterval(function () {
      if (busy || document.hidden) return;
      busy = true;
      fetch(live.dataset.live, { credentials: 'same-origin', cache: 'no-store' })
        .then(function (r) { return r.ok ? r.text() : null; })
        .then(function (html) { if (html !== null && html !== live.innerHTML) live.innerHTML = html; })
        .catch(function () {})
        .then(function () { busy = false; });
    }, 2000);
  }

  // A job's log: lines arrive over Server-Sent Events; the view follows the
  // end unless the reader scrolled up; the stream ends with the job.
  var log = document.getElementById('log');
  if (log && log.dataset.events) {
    var state = document.getElementById('live-state');
    var source = new EventSource(log.dataset.events);
    // Build output as plain messages, the job's steps as "step" events.
    var append = function (e) {
      var follow = log.scrollTop + log.clientHeight >= log.scrollHeight - 8;
      var line = document.createElement('span');
      line.className = e.type === 'step' ? 'line step' : 'line';
      line.dataset.id = e.lastEventId;
      line.textContent = e.data + '\n';
      log.appendChild(line);
      if (follow) log.scrollTop = log.scrollHeight;
    };
    source.onmessage = append;
    source.addEventListener('step', append);
    source.addEventListener('end', function (e) {
      source.close();
      if (state) state.textContent = 'job ' + e.data;
      var badge = document.getElementById('job-state');
      if (badge) {
        badge.textContent = e.data;
        badge.className = 'status ' + e.data;
      }
    });
  }

  // Destroy asks first.
  document.querySelectorAll('button.danger').forEach(function (b) {
    b.addEventListener('click', function (e) {
      if (!window.confirm('Destroy this sandbox and its containers?')) e.preventDefault();
    });
  });
})();
