#!/usr/bin/python3
"""Hardware-aware training of the Fashion-MNIST networks (docs/fashion.md).

Trains one network (mlp, lstm or cnn) with PyTorch from Debian, deterministic
from a seed on the CPU, quantization-aware for the chip's arithmetic:

- inputs are the chip's: pixel p is the int8 value p >> 1, that is (p >> 1) / 128;
- weights are int8, per layer, symmetric, clipped at CLIP standard deviations;
  during training each quantized weight takes the PCM model's programming
  noise (docs/pcm.md 4, the brief's sigma_prog for the devices of its level);
- every layer's output is the LDPU's: round(acc * multiplier + bias), ReLU,
  saturated to int8, with a per-layer output scale from a running maximum.

It exports the network as a manifest (docs/network.md): int8 weights, and the
LDPU's multiplier and bias as reals (the mapper turns them into the
configuration's scale and offset, in ideal and pcm modes), and prints the
float accuracy on the 10,000 test images.  Nothing here is run by the chip or
its tests: the exported networks ship in nets/.
"""
import argparse
import gzip
import json
import math
import os
import struct
import sys

import numpy as np
import torch
import torch.nn.functional as F

DATA = "/usr/share/datasets/fashion-mnist"
CLIP = 2.5  # weight clipping, standard deviations
GL = 127    # device levels of a weight's side (g_bits 7): |w| levels each


def idx(path):
    """An IDX file of unsigned bytes as a numpy array."""
    try:
        b = gzip.open(path).read()
    except OSError as e:
        sys.exit(f"fashion.py: error: {path}: {e} (Debian's dataset-fashion-mnist: run 'make deps')")
    nd = b[3]
    dims = struct.unpack(">" + "I" * nd, b[4:4 + 4 * nd])
    return np.frombuffer(b, np.uint8, offset=4 + 4 * nd).reshape(dims)


def load(split):
    pre = "train" if split == "train" else "t10k"
    x = idx(f"{DATA}/{pre}-images-idx3-ubyte.gz")
    y = idx(f"{DATA}/{pre}-labels-idx1-ubyte.gz")
    # the chip's input: p >> 1, in units of 1/128
    return torch.from_numpy((x >> 1).astype(np.float32) / 128.0), torch.from_numpy(y.astype(np.int64))


def ste(x, q):
    """q in the forward pass, the gradient of x in the backward."""
    return x + (q - x).detach()


def sigma_prog_lsb(q):
    """Programming noise of an int8 weight q, in weight LSBs: two devices a
    side at level |q| (sigma_prog of the brief, uS over 25 uS per 127
    levels), the other side's two at RESET (half-normal, sigma 0.155 uS);
    W = (g1+ + g2+ - g1- - g2-) / 2 (docs/pcm.md 3)."""
    g = q.abs() / GL
    s_us = torch.clamp(-1.1731 * g * g + 1.9650 * g + 0.2635, min=0.0)
    lv = GL / 25.0
    s_set = s_us * lv
    s_reset = 0.155 * lv
    return 0.5 * torch.sqrt(2 * s_set * s_set + 2 * s_reset * s_reset)


class QLinear(torch.nn.Module):
    """A layer on tiles: int8 weights (clipped, noisy while training), the
    LDPU's requantization of the output to int8 at a running output scale
    (or a fixed one: out_scale).  per_channel: a weight scale per output
    (the LDPU's scale is per column), else one for the layer."""

    def __init__(self, kin, kout, relu, out_scale=None, per_channel=False):
        super().__init__()
        self.w = torch.nn.Parameter(torch.empty(kout, kin))
        torch.nn.init.kaiming_uniform_(self.w, a=math.sqrt(5))
        self.b = torch.nn.Parameter(torch.zeros(kout))
        self.relu = relu
        self.fixed = out_scale
        self.per_channel = per_channel
        self.register_buffer("amax", torch.zeros(()))  # running output maximum
        self.quant = False

    def w_scale(self):
        """The weight scale: (kout, 1) per channel, else a scalar."""
        w = self.w.detach()
        if self.per_channel:
            lim = torch.minimum(w.abs().amax(1), CLIP * w.std(1)).clamp(min=1e-8)
            return (lim / 127.0).unsqueeze(1)
        return torch.minimum(w.abs().max(), CLIP * w.std()) / 127.0

    def qweight(self, noise):
        s = self.w_scale()
        q = torch.clamp(torch.round(self.w / s), -127, 127)
        if noise:
            q = q + sigma_prog_lsb(q.detach()) * torch.randn_like(q)
        return ste(self.w, q * s) if self.quant else self.w, s

    def out_scale(self):
        if self.fixed is not None:
            return torch.tensor(self.fixed)
        return torch.clamp(self.amax, min=1e-6) / 127.0

    def requant(self, y):
        if self.training:
            with torch.no_grad():
                m = y.detach().abs().max() if not self.relu else y.detach().clamp(min=0).max()
                self.amax.copy_(m if self.amax == 0 else 0.99 * self.amax + 0.01 * m)
        if self.relu:
            y = F.relu(y)
        if not self.quant:
            return y
        s = self.out_scale()
        return ste(y, torch.clamp(torch.round(y / s), -128, 127) * s)


class Dense(QLinear):
    """A dense layer."""

    def forward(self, x, noise=False):
        w, _ = self.qweight(noise)
        return self.requant(F.linear(x, w, self.b))


def q7(v):
    """A Q7 value of the GDPU (docs/arith.md 6.1): int8 over 128."""
    return ste(v, torch.clamp(torch.round(v * 128), -128, 127) / 128)


class LSTMNet(torch.nn.Module):
    """The image row by row: 28 steps of 28 values into an LSTM of HIDDEN on
    tiles (gates, int8 in the GDPU's act_in_frac format) and the GDPU's cell
    (docs/arith.md 6.2), a dense classifier on the last step's h."""

    def __init__(self, aif, cell_frac, cell_bits, hidden=64):
        super().__init__()
        self.h = hidden
        self.aif, self.cf, self.cb = aif, cell_frac, cell_bits
        self.gates = QLinear(28 + hidden, 4 * hidden, False, out_scale=2.0 ** -aif, per_channel=True)
        self.fc = Dense(hidden, 10, False)

    def cell(self, z, c):
        H = self.h
        quant = self.gates.quant
        i, f, g, o = z[:, :H], z[:, H:2 * H], z[:, 2 * H:3 * H], z[:, 3 * H:]
        i, f, o = torch.sigmoid(i), torch.sigmoid(f), torch.sigmoid(o)
        g = torch.tanh(g)
        if quant:
            i, f, o, g = q7(i), q7(f), q7(o), q7(g)
        c = f * c + i * g
        if quant:
            lim = 2.0 ** (self.cb - 1 - self.cf)
            c = ste(c, torch.clamp(torch.round(c * 2 ** self.cf) / 2 ** self.cf, -lim, lim - 2.0 ** -self.cf))
            qc = ste(c, torch.clamp(torch.round(c * 2 ** self.aif), -128, 127) / 2 ** self.aif)
            h = q7(o * q7(torch.tanh(qc)))
        else:
            h = o * torch.tanh(c)
        return h, c

    def forward(self, x, noise=False):
        x = x.reshape(x.shape[0], 28, 28)
        B = x.shape[0]
        h = x.new_zeros(B, self.h)
        c = x.new_zeros(B, self.h)
        w, _ = self.gates.qweight(noise)
        for t in range(28):
            z = F.linear(torch.cat([x[:, t], h], 1), w, self.gates.b)
            z = self.gates.requant(z)
            h, c = self.cell(z, c)
        return self.fc(h, noise)

    def layers(self):
        return [("lstm1", self.gates), ("fc2", self.fc)]


class QConv(QLinear):
    """A conv2d on tiles.  With a residual, one weight scale for the layer:
    the residual's multiplier s_x / (s_in * s_w) is then one number, which
    the mapper turns into the node's res_mul and its right shift."""

    def __init__(self, cin, cout, k, stride, pad, relu, residual=False):
        super().__init__(cin * k * k, cout, relu, per_channel=not residual)
        # He initialization for a ReLU network without batch norm (PyTorch's
        # default, kaiming_uniform with a = sqrt(5), starts a deep stack
        # with vanishing activations)
        torch.nn.init.kaiming_normal_(self.w, nonlinearity="relu")
        if residual:  # a block starts near the identity
            with torch.no_grad():
                self.w.mul_(0.5)
        self.cin, self.cout, self.k, self.stride, self.pad = cin, cout, k, stride, pad
        self.residual = residual
        self.s_in = self.s_x = None

    def res_mul(self):
        """The residual's multiplier s_x / (s_in * s_w) (real)."""
        return float(self.s_x / (self.s_in * self.w_scale()))

    def forward(self, x, s_in, noise=False, res=None, s_x=None):
        self.s_in, self.s_x = s_in.detach(), None if s_x is None else s_x.detach()
        w, _ = self.qweight(noise)
        y = F.conv2d(x, w.reshape(self.cout, self.cin, self.k, self.k), self.b, self.stride, self.pad)
        if res is not None:
            y = y + res
        return self.requant(y)


class CNN(torch.nn.Module):
    """A ResNet-style network for hermes64 (the whole-CNN issue's shape): six
    3x3 convolutions, two residual blocks, a 2x2 max pool, a 1x1 convolution
    that widens the features, a global average pool (the GDPU's mul and
    shift), a dense classifier.  The map flow takes a convolution's kernel on
    one tile's rows: 28 x 9 = 252 of hermes64's 256."""

    def __init__(self, c1=16, c2=28, c3=64):
        super().__init__()
        self.c1 = QConv(1, c1, 3, 1, 1, True)
        self.c2 = QConv(c1, c1, 3, 1, 1, True)
        self.c3 = QConv(c1, c1, 3, 1, 1, True, residual=True)
        self.c4 = QConv(c1, c2, 3, 1, 1, True)
        self.c5 = QConv(c2, c2, 3, 1, 1, True)
        self.c6 = QConv(c2, c2, 3, 1, 1, True, residual=True)
        self.c7 = QConv(c2, c3, 1, 1, 0, True)
        self.fc = Dense(c3, 10, False)
        # the global average pool's output scale, from its running maximum:
        # the mean of a ReLU map is a few of its LSBs, and the classifier's
        # pcm tile needs its inputs large against the ADC's step
        self.register_buffer("gmax", torch.zeros(()))

    def forward(self, x, noise=False):
        x = x.reshape(x.shape[0], 1, 28, 28)
        s0 = torch.tensor(1.0 / 128)
        a1 = self.c1(x, s0, noise)
        a2 = self.c2(a1, self.c1.out_scale(), noise)
        a3 = self.c3(a2, self.c2.out_scale(), noise, res=a1, s_x=self.c1.out_scale())
        p = F.max_pool2d(a3, 2)
        a4 = self.c4(p, self.c3.out_scale(), noise)
        a5 = self.c5(a4, self.c4.out_scale(), noise)
        a6 = self.c6(a5, self.c5.out_scale(), noise, res=a4, s_x=self.c4.out_scale())
        a7 = self.c7(a6, self.c6.out_scale(), noise)
        # gavgpool: sat(round(sum * mul / 2^shift)), the mean at its own scale
        g = a7.mean((2, 3))
        if self.training:
            with torch.no_grad():
                m = g.detach().max()
                self.gmax.copy_(m if self.gmax == 0 else 0.99 * self.gmax + 0.01 * m)
        if self.c7.quant:
            s = self.gap_scale()
            g = ste(g, torch.clamp(torch.round(g / s), -128, 127) * s)
        return self.fc(g, noise)

    def gap_scale(self):
        return torch.clamp(self.gmax, min=1e-6) / 127.0

    def gap_mul_shift(self):
        """The pool's u16 multiplier and shift: sum * mul / 2^shift is the
        int8 sum of a7 (at c7's scale) over the 196 pixels, at gap_scale."""
        ratio = float(self.c7.out_scale() / (196 * self.gap_scale()))
        shift = min(31, int(math.floor(math.log2(65535 / ratio))))
        return round(ratio * 2 ** shift), shift

    def layers(self):
        return [("conv1", self.c1), ("conv2", self.c2), ("conv3", self.c3), ("conv4", self.c4), ("conv5", self.c5),
                ("conv6", self.c6), ("conv7", self.c7), ("fc8", self.fc)]


class MLP(torch.nn.Module):
    """784 -> HIDDEN (ReLU) -> 10: 13 + 1 tiles of mid's 64 x 64."""

    def __init__(self, hidden=64):
        super().__init__()
        self.fc1 = Dense(784, hidden, True)
        self.fc2 = Dense(hidden, 10, False)

    def forward(self, x, noise=False):
        return self.fc2(self.fc1(x.reshape(x.shape[0], -1), noise), noise)

    def layers(self):
        return [("fc1", self.fc1), ("fc2", self.fc2)]


def gdpu_params(config):
    """The gdpu command's values of configs/CONFIG.tcl (those it sets)."""
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "configs", config + ".tcl")
    out = {}
    with open(path) as f:
        for line in f:
            w = line.split()
            if w and w[0] == "gdpu":
                out.update({w[i][1:]: int(w[i + 1]) for i in range(1, len(w) - 1, 2)})
    for k in ("act_in_frac", "cell_frac", "cell_bits"):
        if k not in out:
            sys.exit(f"fashion.py: error: {path}: gdpu -{k} not set")
    return out


def evaluate(model, x, y, bs=1000):
    model.eval()
    ok = 0
    with torch.no_grad():
        for i in range(0, len(x), bs):
            ok += (model(x[i:i + bs]).argmax(1) == y[i:i + bs]).sum().item()
    return ok / len(x)


def set_quant(model, on):
    for _, l in model.layers():
        l.quant = on


def train(model, args):
    xtr, ytr = load("train")
    xte, yte = load("test")
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    steps = args.epochs * ((len(xtr) + args.batch - 1) // args.batch)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=args.lr, total_steps=steps, pct_start=args.warmup)
    g = torch.Generator().manual_seed(args.seed)
    for ep in range(args.epochs):
        # quantization-aware from the second epoch (the output scales settle first)
        set_quant(model, ep >= 1)
        model.train()
        perm = torch.randperm(len(xtr), generator=g)
        for i in range(0, len(xtr), args.batch):
            j = perm[i:i + args.batch]
            loss = F.cross_entropy(model(xtr[j], noise=ep >= 1), ytr[j])
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
        set_quant(model, False)
        acc_f = evaluate(model, xte, yte)
        set_quant(model, True)
        acc_q = evaluate(model, xte, yte)
        print(f"epoch {ep + 1}/{args.epochs}: loss {loss.item():.3f}, test accuracy float {100 * acc_f:.2f}%, "
              f"quantized {100 * acc_q:.2f}%", flush=True)
    return acc_f, acc_q


def export(model, args, acc_f, acc_q):
    """The manifest and its .npy files: int8 weights, real multipliers and
    biases (y = round(acc * multiplier + bias), acc the exact int8 dot
    product), written into a fresh directory renamed into place."""
    tmp = args.out + ".tmp"
    os.makedirs(tmp, exist_ok=True)
    layers = []
    s_in = 1.0 / 128.0
    for name, l in model.layers():
        s_w = l.w_scale()
        q = torch.clamp(torch.round(l.w.detach() / s_w), -127, 127).to(torch.int8).numpy()
        s_y = l.out_scale().item()
        mul = (s_in * s_w.double() / s_y).reshape(-1).numpy() * np.ones(q.shape[0])
        np.save(f"{tmp}/{name}_mul.npy", mul.astype(np.float64))
        np.save(f"{tmp}/{name}_bias.npy", (l.b.detach().double().numpy() / s_y))
        lay = {"name": name, "multiplier": f"{name}_mul.npy", "bias": f"{name}_bias.npy"}
        if isinstance(l, QConv):
            np.save(f"{tmp}/{name}_w.npy", q.reshape(l.cout, l.cin, l.k, l.k))
            lay.update({"type": "conv2d", "out_channels": l.cout, "kernel": l.k, "stride": l.stride,
                        "padding": l.pad, "weights": f"{name}_w.npy", "relu": bool(l.relu)})
            if l.residual:
                lay.update({"residual": "conv1" if l is model.c3 else "conv4", "residual_multiplier": l.res_mul()})
            layers.append(lay)
            s_in = s_y
            if l is model.c3:
                layers.append({"name": "pool1", "type": "maxpool2d", "kernel": 2})
            if l is model.c7:
                mul, shift = model.gap_mul_shift()
                layers.append({"name": "gap", "type": "gavgpool", "mul": mul, "shift": shift})
                layers.append({"name": "flat", "type": "flatten"})
                s_in = model.gap_scale().item()
            continue
        if isinstance(model, LSTMNet) and l is model.gates:
            # the gate rows: x_t then h, PyTorch's i, f, g, o
            np.save(f"{tmp}/{name}_wih.npy", np.ascontiguousarray(q[:, :28]))
            np.save(f"{tmp}/{name}_whh.npy", np.ascontiguousarray(q[:, 28:]))
            lay.update({"type": "lstm", "hidden": model.h, "steps": 28, "weights_ih": f"{name}_wih.npy",
                        "weights_hh": f"{name}_whh.npy"})
            s_y = 1.0 / 128  # h is Q7
        else:
            np.save(f"{tmp}/{name}_w.npy", q)
            lay.update({"type": "dense", "out": int(q.shape[0]), "weights": f"{name}_w.npy", "relu": bool(l.relu)})
        layers.append(lay)
        s_in = s_y
    man = {"format": "imnpu-network", "version": 1, "name": f"fashion-{args.net}",
           "input": [1, 28, 28] if args.net == "cnn" else 784, "layers": layers}
    with open(f"{tmp}/net.json", "w") as f:
        json.dump(man, f, indent=2)
        f.write("\n")
    with open(f"{tmp}/training.json", "w") as f:
        json.dump({"net": args.net, "seed": args.seed, "epochs": args.epochs, "lr": args.lr, "batch": args.batch,
                   "warmup": args.warmup,
                   "config": args.config, "float_accuracy": round(acc_f, 4),
                   "quantized_accuracy": round(acc_q, 4),
                   "torch": torch.__version__}, f, indent=2)
        f.write("\n")
    if os.path.exists(args.out):
        for fn in os.listdir(args.out):
            os.remove(os.path.join(args.out, fn))
        os.rmdir(args.out)
    os.rename(tmp, args.out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--net", choices=["mlp", "lstm", "cnn"], required=True)
    ap.add_argument("--config", default="mid",
                    help="the configuration it is for (its gdpu act_in_frac and cell format: an LSTM's gates)")
    ap.add_argument("--out", required=True, help="the manifest's directory (replaced)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--epochs", type=int, default=15)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--warmup", type=float, default=0.3, help="the share of the steps the learning rate rises")
    args = ap.parse_args()
    torch.manual_seed(args.seed)
    torch.set_num_threads(2)
    torch.use_deterministic_algorithms(True)
    if args.net == "mlp":
        model = MLP()
    elif args.net == "cnn":
        model = CNN()
    else:
        gdpu = gdpu_params(args.config)
        model = LSTMNet(gdpu["act_in_frac"], gdpu["cell_frac"], gdpu["cell_bits"])
    acc_f, acc_q = train(model, args)
    export(model, args, acc_f, acc_q)
    print(f"{args.out}: float {100 * acc_f:.2f}%, quantized {100 * acc_q:.2f}%")


if __name__ == "__main__":
    main()
