// Lint: typescript-eslint's recommended rules plus the layer rules of DESIGN.md / STYLE.md 15:
// imports point down the layers, and each vendor SDK lives in exactly one adapter file.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const VENDOR_SDKS = {
  'onnxruntime-node': 'src/inference/onnx-backend.ts',
  mqtt: 'src/publish/mqtt-publisher.ts',
  aedes: 'src/publish/embedded-broker.ts',
  '@mcap/core': 'src/record/mcap/*.ts',
  serialport: 'devices/*/*/serial-transport.ts',
  '@serialport/*': 'devices/*/*/serial-transport.ts',
  '@roamhq/wrtc': 'devices/camera/webrtc/*.ts',
  'sparkplug-payload': 'src/publish/sparkplug-codec.ts',
};
const vendorPatterns = Object.entries(VENDOR_SDKS).map(([name, home]) => ({
  group: [name, `${name}/*`],
  message: `${name} may only be imported by its adapter (${home}); go through that port instead.`,
}));
const upward = (what, why) => ({ group: what, message: why });

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'var/**', 'models/train/.data/**', 'models/train/.work/**', '**/*.py'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setImmediate: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', Buffer: 'readonly', URL: 'readonly', structuredClone: 'readonly', queueMicrotask: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  {
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [
        upward(['../*', '!../core/*'], 'src/core is the bottom layer: it imports nothing of ours.'),
        ...vendorPatterns,
      ] }],
    },
  },
  {
    files: ['src/**/*.ts'],
    ignores: ['src/core/**', 'src/main.ts', ...Object.values(VENDOR_SDKS).filter((p) => p.startsWith('src/'))],
    rules: {
      'no-restricted-imports': ['error', { patterns: [
        upward(['**/devices/**', '**/models/**', '**/bench/**', '**/test/**'], 'src/ never imports devices/, models/, bench/ or test/ (only src/main.ts, the composition root, does).'),
        ...vendorPatterns,
      ] }],
    },
  },
  {
    files: Object.values(VENDOR_SDKS).filter((p) => p.startsWith('src/')),
    rules: {
      'no-restricted-imports': ['error', { patterns: [
        upward(['**/devices/**', '**/models/**', '**/bench/**', '**/test/**'], 'src/ never imports devices/, models/, bench/ or test/.'),
      ] }],
    },
  },
  {
    files: ['devices/**/*.ts', 'models/preprocess/**/*.ts'],
    ignores: ['devices/**/*.test.ts', 'devices/*/*/serial-transport.ts', 'devices/camera/webrtc/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [
        upward(['**/src/*', '!**/src/core', '**/src/*/**', '!**/src/core/**'], 'devices/ and models/preprocess import only src/core.'),
        upward(['**/bench/**', '**/test/**'], 'no imports from bench/ or test/.'),
        ...vendorPatterns,
      ] }],
    },
  },
);
