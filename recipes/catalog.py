"""Every recipe babelforge knows, in run order: an explicit tuple, no registry."""

from babelforge.recipes import hallucination, instructions, syndarin
from babelforge.recipes.stage import Recipe, Stage
from babelforge.schemas.config import RunConfig

RECIPES: tuple[Recipe, ...] = (syndarin.RECIPE, instructions.RECIPE, hallucination.RECIPE)
NAMES: tuple[str, ...] = tuple(recipe.name for recipe in RECIPES)


def configured(config: RunConfig) -> tuple[Recipe, ...]:
    """The recipes whose section the run config has."""
    return tuple(recipe for recipe in RECIPES if recipe.configured(config))


def recipe(name: str) -> Recipe:
    """The recipe called `name`."""
    for candidate in RECIPES:
        if candidate.name == name:
            return candidate
    raise KeyError(f"no recipe {name}; known: {', '.join(NAMES)}")


def stage(name: str) -> Stage | None:
    """The declared stage called `name`, or None for a stage no recipe declares."""
    for candidate in RECIPES:
        for declared in candidate.stages:
            if declared.name == name:
                return declared
    return None


def recipe_of(stage_name: str) -> str | None:
    """The name of the recipe declaring the stage, or None for an undeclared stage."""
    for candidate in RECIPES:
        if any(declared.name == stage_name for declared in candidate.stages):
            return candidate.name
    return None
