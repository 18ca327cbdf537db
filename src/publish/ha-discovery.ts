import type { OutboundMessage } from './publisher.ts';
import type { Topics } from './topics.ts';

export interface HaDiscoveryInput {
  prefix: string;
  topics: Topics;
  device: string;
  site: string;
  version: string;
  pipelines: readonly { name: string; labels: readonly string[] }[];
}

/**
 * Home Assistant MQTT discovery (opt-in): one retained config per pipeline, an enum sensor whose
 * state is the result's label and whose attributes are score, mask and probabilities, available
 * while our retained status says `online`. Topic `{prefix}/sensor/{node}/{object}/config`.
 */
export function haDiscoveryMessages(i: HaDiscoveryInput): OutboundMessage[] {
  const node = `sensorium_${i.device}`.replace(/[^a-zA-Z0-9_-]/g, '_');
  const device = {
    identifiers: [node],
    name: `Sensorium ${i.device}`,
    manufacturer: 'Sensorium',
    model: 'multimodal fusion runtime',
    sw_version: i.version,
    suggested_area: i.site,
  };
  return i.pipelines.map((p) => {
    const config = {
      name: p.name.replace(/_/g, ' '),
      unique_id: `${node}_${p.name}`,
      object_id: `${node}_${p.name}`,
      device_class: 'enum',
      options: [...p.labels],
      icon: 'mdi:robot-industrial',
      state_topic: i.topics.result(p.name),
      value_template: '{{ value_json.label }}',
      json_attributes_topic: i.topics.result(p.name),
      json_attributes_template: '{{ {"score": value_json.score, "seq": value_json.seq, "mask": value_json.mask, "probs": value_json.probs} | tojson }}',
      availability_topic: i.topics.status(),
      availability_template: '{{ value_json.state }}',
      payload_available: 'online',
      payload_not_available: 'offline',
      qos: 1,
      device,
      origin: { name: 'sensorium', sw_version: i.version },
    };
    return { topic: `${i.prefix}/sensor/${node}/${p.name}/config`, payload: JSON.stringify(config), qos: 1 as const, retain: true };
  });
}
