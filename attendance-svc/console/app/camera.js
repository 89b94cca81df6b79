// The dress-code selfie: the front camera (getUserMedia) in a small panel, a
// frame taken as a JPEG of at most 960 px, well under the 2 MiB the service
// takes; where there is no camera or it is refused, the phone's own capture
// (an <input type=file capture>) does instead.
import { h, clear } from '/console/dom.js';
import { t } from '/console/i18n.js';

const WIDTH = 960;

function frameToJpeg(video) {
  const scale = Math.min(1, WIDTH / video.videoWidth);
  const canvas = document.createElement('canvas');
  canvas.width = Math.round(video.videoWidth * scale);
  canvas.height = Math.round(video.videoHeight * scale);
  canvas.getContext('2d').drawImage(video, 0, 0, canvas.width, canvas.height);
  return new Promise((resolve) => canvas.toBlob(resolve, 'image/jpeg', 0.85));
}

// Opens the camera in panel; resolves with a JPEG Blob, or null when cancelled. Rejects with an Error whose
// message is 'camera_unavailable' when there is no camera to open.
export async function takeSelfie(panel) {
  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) throw new Error('camera_unavailable');
  let stream;
  try {
    stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'user' }, audio: false });
  } catch {
    throw new Error('camera_unavailable');
  }
  const video = h('video', { id: 'camera', autoplay: true, playsinline: true, muted: true, 'aria-label': t('app.camera') });
  video.srcObject = stream;
  return new Promise((resolve) => {
    const done = async (take) => {
      const blob = take ? await frameToJpeg(video) : null;
      for (const track of stream.getTracks()) track.stop();
      clear(panel);
      panel.hidden = true;
      resolve(blob);
    };
    clear(panel).append(video, h('div', { class: 'row' },
      h('button', { type: 'button', id: 'camera-take', class: 'primary', onclick: () => done(true) }, t('app.camera.take')),
      h('button', { type: 'button', id: 'camera-cancel', onclick: () => done(false) }, t('app.cancel'))));
    panel.hidden = false;
    video.addEventListener('loadedmetadata', () => document.getElementById('camera-take').focus(), { once: true });
  });
}
