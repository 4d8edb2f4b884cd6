// cirrostack dashboard: the little the pages need beyond HTML (no framework, no build).
(function () {
  'use strict';
  var csrf = function () { return document.body.getAttribute('data-csrf'); };

  // Forms that ask before they act (delete buttons).
  document.addEventListener('submit', function (ev) {
    var form = ev.target;
    if (form.classList && form.classList.contains('confirm')) {
      if (!window.confirm(form.getAttribute('data-confirm'))) { ev.preventDefault(); }
    }
  });
  // The project switcher submits when a project is chosen.
  document.querySelectorAll('select.autosubmit').forEach(function (sel) {
    sel.addEventListener('change', function () { sel.form.submit(); });
  });

  // Live status (servers, volumes, snapshots): each table[data-poll] polls its JSON view
  // while any of its rows is changing. The view answers {<data-poll-key>: {id: row}}; a
  // row's status cell gets the row's status, each td[data-lines] the row's list of lines.
  var setText = function (cell, lines) {
    while (cell.firstChild) { cell.removeChild(cell.firstChild); }
    lines.forEach(function (line) {
      var div = document.createElement('div');
      div.textContent = line;
      cell.appendChild(div);
    });
  };
  document.querySelectorAll('table[data-poll]').forEach(function (table) {
    var pollUrl = table.getAttribute('data-poll');
    var key = table.getAttribute('data-poll-key') || 'servers';
    var timer = null;
    var rows = function () { return table.querySelectorAll('tbody tr[data-id]'); };
    var busy = function () {
      return Array.prototype.some.call(rows(), function (r) {
        return r.getAttribute('data-stable') !== 'yes';
      });
    };
    var poll = function () {
      if (!busy()) { timer = null; return; }
      fetch(pollUrl, {credentials: 'same-origin', headers: {'Accept': 'application/json'}})
        .then(function (resp) {
          if (resp.status === 401) { window.location = '/auth/login'; throw new Error('401'); }
          return resp.json();
        })
        .then(function (data) {
          var found = data[key] || {};
          rows().forEach(function (row) {
            var s = found[row.getAttribute('data-id')];
            var status = row.querySelector('td.status');
            if (!s) {
              status.textContent = key === 'servers' ? 'DELETED' : 'deleted';
              status.className = 'status status-deleted';
              row.setAttribute('data-stable', 'yes');
              return;
            }
            status.textContent = s.status + (s.task_state ? ' (' + s.task_state + ')' : '');
            status.className = 'status status-' + String(s.status).toLowerCase();
            row.querySelectorAll('td[data-lines]').forEach(function (cell) {
              setText(cell, s[cell.getAttribute('data-lines')] || []);
            });
            row.setAttribute('data-stable', s.stable ? 'yes' : 'no');
          });
          timer = window.setTimeout(poll, 2000);
        })
        .catch(function () { timer = window.setTimeout(poll, 5000); });
    };
    // A page opened while everything was stable starts polling after an action reloads it.
    timer = window.setTimeout(poll, 2000);
  });

  // Uploads with a progress bar: the file goes as the raw body of one PUT.
  var upload = document.querySelector('form.upload');
  if (upload) {
    var bar = upload.querySelector('progress');
    var percent = upload.querySelector('#upload-percent');
    var status = upload.querySelector('#upload-status');
    var button = upload.querySelector('button[type=submit]');
    var say = function (text, cls) { status.textContent = text; status.className = 'upload-status ' + (cls || ''); };
    var send = function (url, file, headers, done) {
      var xhr = new XMLHttpRequest();
      xhr.open('PUT', url);
      xhr.setRequestHeader('X-CSRF-Token', csrf());
      xhr.setRequestHeader('Content-Type', 'application/octet-stream');
      Object.keys(headers).forEach(function (k) { xhr.setRequestHeader(k, headers[k]); });
      xhr.upload.onprogress = function (ev) {
        if (ev.lengthComputable) {
          var p = Math.floor(100 * ev.loaded / ev.total);
          bar.value = p; percent.textContent = p + '%';
        }
      };
      xhr.onload = function () {
        var body = {};
        try { body = JSON.parse(xhr.responseText); } catch (e) { body = {}; }
        if (xhr.status >= 200 && xhr.status < 300) {
          bar.value = 100; percent.textContent = '100%';
          say('Upload complete.', 'ok');
          done();
        } else {
          say('Upload failed: ' + (body.error || xhr.statusText) +
              (body.request_id ? ' (request id ' + body.request_id + ')' : ''), 'error');
          button.disabled = false;
        }
      };
      xhr.onerror = function () { say('Upload failed: the connection broke.', 'error'); button.disabled = false; };
      xhr.send(file);
    };
    upload.addEventListener('submit', function (ev) {
      ev.preventDefault();
      var file = upload.querySelector('input[type=file]').files[0];
      if (!file) { say('Choose a file.', 'error'); return; }
      button.disabled = true;
      bar.value = 0; percent.textContent = '0%';
      var reload = function () { window.setTimeout(function () { window.location.reload(); }, 1500); };
      if (upload.getAttribute('data-kind') === 'image') {
        var fields = new URLSearchParams();
        new FormData(upload).forEach(function (v, k) { if (k !== 'file') { fields.append(k, v); } });
        say('Creating the image...');
        fetch(upload.getAttribute('action'), {method: 'POST', credentials: 'same-origin',
          headers: {'X-CSRF-Token': csrf()}, body: fields})
          .then(function (resp) { return resp.json().then(function (b) { return [resp, b]; }); })
          .then(function (r) {
            if (r[0].status !== 201) {
              var errors = r[1].errors || {};
              say(Object.keys(errors).map(function (k) { return errors[k]; }).join(' ') ||
                  'The image could not be created.', 'error');
              button.disabled = false;
              return;
            }
            say('Uploading...');
            send('/project/images/' + encodeURIComponent(r[1].id) + '/data', file, {}, reload);
          })
          .catch(function () { say('The image could not be created.', 'error'); button.disabled = false; });
      } else {
        var name = upload.querySelector('input[name=name]').value || file.name;
        var url = upload.getAttribute('data-action') + '?name=' +
          encodeURIComponent((upload.getAttribute('data-prefix') || '') + name);
        say('Uploading...');
        send(url, file, {'X-Object-Content-Type': file.type || 'application/octet-stream'}, reload);
      }
    });
  }
})();

// A console log opens at its end (the newest lines).
(function () {
  'use strict';
  var pre = document.querySelector('pre.console');
  if (pre) { pre.scrollTop = pre.scrollHeight; }
})();
