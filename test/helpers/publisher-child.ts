// Child process for crash tests: connects a MqttPublisher with a will, says "connected", then idles
// until killed.
import { MqttPublisher } from '../../src/publish/mqtt-publisher.ts';

const [url, topic] = process.argv.slice(2) as [string, string];
const pub = new MqttPublisher({ url, clientId: `child-${process.pid}`, protocol: '3.1.1', keepaliveSec: 5, will: { topic, payload: '{"state":"offline"}', qos: 1, retain: true } });
await pub.start();
const timer = setInterval(() => {
  if (pub.connected) {
    process.stdout.write('connected\n');
    clearInterval(timer);
  }
}, 20);
setInterval(() => {}, 1 << 30);
