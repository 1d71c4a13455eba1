import SchemaBuilder, {
  BasePlugin,
  type FieldNullability,
  type InputFieldMap,
  type PothosOutputFieldConfig,
  type SchemaTypes,
  type TypeParam,
} from "@pothos/core";
import { type GraphQLFieldResolver, type GraphQLResolveInfo, getNamedType, isUnionType } from "graphql";
import { ValidationError } from "../errors.ts";
import { MAX_JSON_DEPTH, type PathProblem, unstorableParts } from "../validation/storable.ts";
import { requestError } from "./request-errors.ts";

const pluginName = "storableArguments";
export default pluginName;

declare global {
  export namespace PothosSchemaTypes {
    export interface Plugins<Types extends SchemaTypes> {
      storableArguments: StorableArgumentsPlugin<Types>;
    }
    export interface FieldOptions<
      Types extends SchemaTypes = SchemaTypes,
      ParentShape = unknown,
      Type extends TypeParam<Types> = TypeParam<Types>,
      Nullable extends FieldNullability<Type> = FieldNullability<Type>,
      Args extends InputFieldMap = InputFieldMap,
      ResolveShape = unknown,
      ResolveReturnShape = unknown,
    > {
      /**
       * The resolver checks every string of its arguments with the shared
       * validation itself, so that it can report all problems at once or fail
       * one item of a batch alone; the request-level check leaves it be.
       */
      checksOwnArguments?: boolean;
    }
  }
}

// Arguments nest input objects around their JSON values; those are bounded by MAX_JSON_DEPTH where validated.
const MAX_ARGUMENT_DEPTH = 2 * MAX_JSON_DEPTH;

/**
 * Every field with arguments refuses, before it runs, text PostgreSQL cannot
 * store (NUL, unpaired surrogates) anywhere in them, and absurd nesting: a
 * ValidationError where the field's result union has one, BAD_USER_INPUT
 * otherwise. Fields added later are covered without a line of their own.
 */
export class StorableArgumentsPlugin<Types extends SchemaTypes> extends BasePlugin<Types> {
  override wrapResolve(
    resolver: GraphQLFieldResolver<unknown, Types["Context"], object>,
    fieldConfig: PothosOutputFieldConfig<Types>,
  ): GraphQLFieldResolver<unknown, Types["Context"], object> {
    if (Object.keys(fieldConfig.args).length === 0 || fieldConfig.pothosOptions.checksOwnArguments) return resolver;
    return (parent, args, context, info) => {
      const problems = unstorableParts(args, MAX_ARGUMENT_DEPTH);
      if (problems.length > 0) throw rejection(problems, info);
      return resolver(parent, args, context, info);
    };
  }
}

SchemaBuilder.registerPlugin(pluginName, StorableArgumentsPlugin);

// Mutations name problems by the fields of their `input` argument, and by other arguments as they are.
const fieldOf = ({ path }: PathProblem) => (path[0] === "input" ? path.slice(1) : path).map(String).join(".");

function rejection(problems: PathProblem[], info: GraphQLResolveInfo): Error {
  const result = getNamedType(info.returnType);
  if (isUnionType(result) && result.getTypes().some((member) => member.name === "ValidationError")) {
    return new ValidationError(problems.map((problem) => ({ ...problem, field: fieldOf(problem) })));
  }
  const fields = problems.map(({ path, message, reason }) => ({ argument: path.map(String).join("."), message, reason }));
  const [first] = fields;
  return requestError("BAD_USER_INPUT", `Argument ${first?.argument} ${first?.message}.`, { fields });
}
