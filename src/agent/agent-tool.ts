import { z } from 'zod';
import type OpenAI from 'openai';

/** A read-only tool as the agent offers it to the model, already bound to the investigation's context. */
export interface AgentTool {
  name: string;
  description: string;
  /** Arguments, without the `reason` every call must also give. */
  args: z.ZodType;
  /** `reason` is the model's stated reason for the call, for the tool's own audit event. */
  run(args: unknown, reason: string): Promise<unknown>;
}

const REASON_DESCRIPTION = 'Why you are making this call: what you expect to learn and which hypothesis it tests';

/** JSON Schema of a tool's arguments, with the required `reason` added. */
function toolParameters(args: z.ZodType): Record<string, unknown> {
  const { $schema: _ignored, ...schema } = z.toJSONSchema(args, {
    io: 'input',
    target: 'draft-7',
    unrepresentable: 'any',
  }) as Record<string, unknown>;
  const properties = (schema.properties as Record<string, unknown> | undefined) ?? {};
  const required = (schema.required as string[] | undefined) ?? [];
  return {
    ...schema,
    type: 'object',
    properties: { ...properties, reason: { type: 'string', description: REASON_DESCRIPTION } },
    required: [...required.filter((name) => name !== 'reason'), 'reason'],
  };
}

export function toOpenAITool(
  tool: Pick<AgentTool, 'name' | 'description' | 'args'>,
): OpenAI.Chat.Completions.ChatCompletionFunctionTool {
  return {
    type: 'function',
    function: { name: tool.name, description: tool.description, parameters: toolParameters(tool.args) },
  };
}
