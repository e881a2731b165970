"""Fused optimizer updates for the torch engine (see :mod:`lamina.backend.fused_optimizers`).

When SGD, RMSprop, Adam or AdamW run eagerly on torch, ``Optimizer.apply`` calls the
update here in place of its K code: the same formulas, written with torch's
multi-tensor ``torch._foreach_*`` operations on the Variables' Parameters and
slots in place, under ``torch.no_grad()``. One ``apply`` then costs a handful of
library calls for all the variables together instead of a dozen K calls per
variable. The numbers agree with the K code to float32 rounding; the gradients
given (the Parameters' ``.grad``) are never modified.

>>> from lamina.backend.torch.optimizers import FUSED
>>> sorted(FUSED)
['adam', 'rmsprop', 'sgd']
"""

import math
import weakref

import torch

from lamina.backend.torch.core import convert_to_tensor
from lamina.backend.variables import Variable

_plans = weakref.WeakKeyDictionary()


class _Plan:
    """The storages one ``apply`` works on, found once per (optimizer, variable list)."""

    def __init__(self, optimizer, variables, slot_names):
        self.variables = variables
        self.params = [v._value for v in variables]
        self.slots = {name: [optimizer._slot(getattr(optimizer, name), v)._value
                             for v in variables] for name in slot_names}
        self.decayed = [p for v, p in zip(variables, self.params) if optimizer._use_weight_decay(v)]

    def is_current(self):
        return all(p is v._value for p, v in zip(self.params, self.variables))


def _plan(optimizer, variables, slot_names):
    plans = _plans.setdefault(optimizer, {})
    key = (tuple(map(id, variables)), slot_names)
    plan = plans.get(key)
    if plan is None or not plan.is_current():
        plan = plans[key] = _Plan(optimizer, list(variables), slot_names)
    return plan


def _tensors(grads, params):
    """The gradients as torch tensors of their Parameters' dtypes."""
    out = []
    for g, p in zip(grads, params):
        if isinstance(g, Variable):
            g = g.value
        if not isinstance(g, torch.Tensor):
            g = convert_to_tensor(g)
        out.append(g if g.dtype == p.dtype else g.to(p.dtype))
    return out


def _rate(optimizer):
    rate = optimizer.learning_rate
    return (rate._value if isinstance(rate, Variable) else rate).item()


def _clip(optimizer, grads):
    if optimizer.clipnorm is not None:
        bound = optimizer.clipnorm
        scales = torch.div(bound, torch.stack(torch._foreach_norm(grads)).clamp_min(bound))
        return torch._foreach_mul(grads, scales.unbind())
    if optimizer.global_clipnorm is not None and grads:
        bound = optimizer.global_clipnorm
        total = torch.stack(torch._foreach_norm(grads)).square().sum().sqrt()
        return torch._foreach_mul(grads, torch.div(bound, total.clamp_min(bound)))
    if optimizer.clipvalue is not None:
        bound = optimizer.clipvalue
        return torch._foreach_clamp_max(torch._foreach_clamp_min(grads, -bound), bound)
    return grads


def _prepare(optimizer, grads, variables, slot_names):
    """(plan, gradients clipped, learning rate) after decaying the weights."""
    plan = _plan(optimizer, variables, slot_names)
    grads = _clip(optimizer, _tensors(grads, plan.params))
    lr = _rate(optimizer)
    if plan.decayed:
        decay = float(torch.tensor(lr, dtype=torch.float32) * optimizer.weight_decay)
        torch._foreach_mul_(plan.decayed, 1.0 - decay)
    return plan, grads, lr


@torch.no_grad()
def sgd(optimizer, grads, variables):
    """SGD (momentum, Nesterov) on all variables at once."""
    momentum = optimizer.momentum
    plan, grads, lr = _prepare(optimizer, grads, variables,
                               ("momentums",) if momentum != 0 else ())
    params = plan.params
    if momentum == 0:
        torch._foreach_add_(params, grads, alpha=-lr)
    else:
        m = plan.slots["momentums"]
        torch._foreach_mul_(m, momentum)
        torch._foreach_add_(m, grads, alpha=-lr)
        if optimizer.nesterov:
            torch._foreach_add_(params, grads, alpha=-lr)
            torch._foreach_add_(params, m, alpha=momentum)
        else:
            torch._foreach_add_(params, m)
    optimizer.iterations._value.add_(1)


@torch.no_grad()
def rmsprop(optimizer, grads, variables):
    """RMSprop (momentum, centered) on all variables at once."""
    names = ("velocities",) + (("momentums",) if optimizer.momentum > 0 else ()) + \
        (("average_gradients",) if optimizer.centered else ())
    plan, grads, lr = _prepare(optimizer, grads, variables, names)
    rho = optimizer.rho
    velocity = plan.slots["velocities"]
    torch._foreach_mul_(velocity, rho)
    torch._foreach_addcmul_(velocity, grads, grads, value=1.0 - rho)
    if optimizer.centered:
        average = plan.slots["average_gradients"]
        torch._foreach_mul_(average, rho)
        torch._foreach_add_(average, grads, alpha=1.0 - rho)
        denominator = torch._foreach_addcmul(velocity, average, average, value=-1.0)
        torch._foreach_add_(denominator, optimizer.epsilon)
    else:
        denominator = torch._foreach_add(velocity, optimizer.epsilon)
    torch._foreach_sqrt_(denominator)
    if optimizer.momentum > 0:
        m = plan.slots["momentums"]
        torch._foreach_mul_(m, optimizer.momentum)
        torch._foreach_addcdiv_(m, grads, denominator, value=lr)
        torch._foreach_sub_(plan.params, m)
    else:
        torch._foreach_addcdiv_(plan.params, grads, denominator, value=-lr)
    optimizer.iterations._value.add_(1)


@torch.no_grad()
def adam(optimizer, grads, variables):
    """Adam and AdamW (amsgrad) on all variables at once."""
    names = ("momentums", "velocities") + (("velocity_hats",) if optimizer.amsgrad else ())
    plan, grads, lr = _prepare(optimizer, grads, variables, names)
    step = optimizer.iterations._value.item() + 1
    alpha = lr * math.sqrt(1.0 - optimizer.beta_2 ** step) / (1.0 - optimizer.beta_1 ** step)
    m, v = plan.slots["momentums"], plan.slots["velocities"]
    torch._foreach_lerp_(m, grads, 1.0 - optimizer.beta_1)
    torch._foreach_lerp_(v, torch._foreach_mul(grads, grads), 1.0 - optimizer.beta_2)
    if optimizer.amsgrad:
        v_hat = plan.slots["velocity_hats"]
        torch._foreach_maximum_(v_hat, v)
        v = v_hat
    denominator = torch._foreach_sqrt(v)
    torch._foreach_add_(denominator, optimizer.epsilon)
    torch._foreach_addcdiv_(plan.params, m, denominator, value=-alpha)
    optimizer.iterations._value.add_(1)


FUSED = {"sgd": sgd, "rmsprop": rmsprop, "adam": adam}
