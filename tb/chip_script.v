// Runs a chip under a second simulator (Icarus Verilog; docs/flows.md) from
// a host script that imnpu-run --host-script wrote from a program image and
// its inputs: S (what the host sends and the registers it polls), S.exp (the
// packets the transaction-level golden model returned to the host) and S.vh
// (the chip's module, its port widths and the sizes).  The bench sends each
// packet, polls, and at each drain waits for the packets due; every packet
// that reaches the host is compared with the golden model's next one from
// its source (the host's rule fixes the order from each source, docs/chip.md).
// Prints the first divergence with its cycle, then
// "chip_script: N packets compared, C cycles" and PASSED or FAILED.
// Build: iverilog -g2005 -Wall -I DIR_OF_S.vh -DSCRIPT_VH='"S.vh"' -o sim tb/chip_script.v <the chip's files>
// Run:   vvp -n sim +script=S [+stall=P] [+seed=N] [+dump=W]
//   P: percent of cycles the host is not ready (drawn from N); W: a waveform of
//   the chip (VCD, or FST with vvp's -fst after the plusargs) for GTKWave
module chip_script;
`include `SCRIPT_VH
  localparam CH = 8;  // rx channels (host_rx_chan_o)
  reg clk;
  reg rst_n;
  reg tx_valid, tx_last, tx_mcast, rx_ready;
  reg [IDW-1:0] tx_dest;
  reg [NODES-1:0] tx_mask;
  reg [IW-1:0] tx_info;
  reg [PW-1:0] tx_data;
  wire tx_ready, rx_valid, rx_head, rx_last, rx_mcast;
  wire [2:0] rx_chan;
  wire [IDW-1:0] rx_src;
  wire [IW-1:0] rx_info;
  wire [PW-1:0] rx_data;
  wire [1:0] rx_err;
  wire [31:0] stat;
  wire dbg_valid, dbg_ready;
  wire [CW-1:0] dbg_code;
  wire [2:0] dbg_chan;

  `CHIP_MODULE dut (
    .clk_i(clk), .rst_ni(rst_n),
    .host_tx_valid_i(tx_valid), .host_tx_ready_o(tx_ready), .host_tx_last_i(tx_last),
    .host_tx_mcast_i(tx_mcast), .host_tx_dest_i(tx_dest), .host_tx_mask_i(tx_mask),
    .host_tx_info_i(tx_info), .host_tx_data_i(tx_data),
    .host_rx_valid_o(rx_valid), .host_rx_ready_i(rx_ready), .host_rx_head_o(rx_head),
    .host_rx_last_o(rx_last), .host_rx_mcast_o(rx_mcast), .host_rx_chan_o(rx_chan),
    .host_rx_src_o(rx_src), .host_rx_info_o(rx_info), .host_rx_data_o(rx_data), .host_rx_err_o(rx_err),
    .stat_node_i({NW{1'b0}}), .stat_port_i(3'd0), .stat_kind_i(2'd0), .stat_o(stat),
    .dbg_link_i({LW{1'b0}}), .dbg_flip_i({CW{1'b0}}), .dbg_valid_o(dbg_valid), .dbg_ready_o(dbg_ready),
    .dbg_code_o(dbg_code), .dbg_chan_o(dbg_chan));

  // the golden model's packets, and per source the next one to match
  reg [IDW-1:0] e_src [0:EXP_N-1];
  reg [IW-1:0] e_info [0:EXP_N-1];
  integer e_nb [0:EXP_N-1];
  integer e_at [0:EXP_N-1];
  reg e_done [0:EXP_N-1];
  reg [PW-1:0] e_beat [0:EXP_BEATS-1];
  integer e_next [0:(1 << IDW) - 1];
  // packets arriving, by channel
  reg [IDW-1:0] c_src [0:CH-1];
  reg [IW-1:0] c_info [0:CH-1];
  integer c_nb [0:CH-1];
  reg [PW-1:0] c_beat [0:CH*MAX_BEATS-1];
  // the packet being sent
  reg [PW-1:0] t_beat [0:MAX_BEATS-1];
  integer t_nb, t_at;
  reg t_busy;

  integer ck, ci;  // compare's
  integer fd, n, i, k, kind, total, idle, idle_limit, stall, seed, opened;
  integer cycles, got, errors, polls_due;
  reg [8*1024-1:0] file, wfile;
  reg [63:0] h_dest, h_mcast, h_nb, h_total, h_idle, h_info, h_wmask;
  reg [NODES-1:0] h_mask;
  reg [PW-1:0] h_beat;
  reg [IW-1:0] h_einfo;
  reg [IDW-1:0] h_src;
  reg [31:0] poll_word, wmask;
  reg take, txdone, same;

  // One cycle, as chip_tb clocks: inputs set, outputs sampled, the rising
  // edge, then the sent beat retired.
  task tick;
    begin
      tx_valid = t_busy;
      tx_last = t_busy && t_at == t_nb;
      tx_data = (t_busy && t_at > 0) ? t_beat[t_at - 1] : {PW{1'b0}};
      take = stall == 0 || ($random(seed) % 100 + 100) % 100 >= stall;
      rx_ready = take;
      #1;
      txdone = t_busy && tx_ready;
      if (rx_valid && take) begin
        idle = 0;
        receive;
      end
      #3 clk = 1'b1;
      #5 clk = 1'b0;
      #1;
      cycles = cycles + 1;
      idle = idle + 1;
      if (txdone) begin
        idle = 0;
        if (t_at == t_nb) t_busy = 1'b0;
        else t_at = t_at + 1;
      end
    end
  endtask

  // a beat at the host port; a complete packet is a poll's reply or compared
  task receive;
    begin
      if (rx_head) begin
        c_src[rx_chan] = rx_src;
        c_info[rx_chan] = rx_info;
        c_nb[rx_chan] = 0;
        opened = opened + 1;
      end else begin
        if (c_nb[rx_chan] < MAX_BEATS) c_beat[rx_chan * MAX_BEATS + c_nb[rx_chan]] = rx_data;
        c_nb[rx_chan] = c_nb[rx_chan] + 1;
      end
      if (rx_last) begin
        opened = opened - 1;
        if (c_info[rx_chan][2:0] == 3'd4 && polls_due > 0) begin
          polls_due = 0;
          poll_word = {c_beat[rx_chan * MAX_BEATS + 1][15:0], c_beat[rx_chan * MAX_BEATS][15:0]};
        end else begin
          compare(rx_chan);
        end
      end
    end
  endtask

  task compare(input [2:0] ch);
    begin
      ck = e_next[c_src[ch]];
      while (ck < EXP_N && (e_done[ck] || e_src[ck] != c_src[ch])) ck = ck + 1;
      got = got + 1;
      if (ck >= EXP_N) begin
        $display("chip_script: cycle %0d: node address %0d sent a packet (info 0x%0h, %0d beats) the golden model did not",
                 cycles, c_src[ch], c_info[ch], c_nb[ch]);
        errors = errors + 1;
      end else begin
        e_next[c_src[ch]] = ck + 1;
        e_done[ck] = 1'b1;
        same = e_info[ck] == c_info[ch] && e_nb[ck] == c_nb[ch];
        for (ci = 0; same && ci < c_nb[ch]; ci = ci + 1)
          if (e_beat[e_at[ck] + ci] != c_beat[ch * MAX_BEATS + ci]) same = 1'b0;
        if (!same && errors == 0) begin
          $display("chip_script: cycle %0d: first divergence: packet %0d from node address %0d: info 0x%0h, %0d beats; golden (packet %0d) info 0x%0h, %0d beats",
                   cycles, got - 1, c_src[ch], c_info[ch], c_nb[ch], ck, e_info[ck], e_nb[ck]);
          for (ci = 0; ci < c_nb[ch] || ci < e_nb[ck]; ci = ci + 1)
            $display("  beat %0d: rtl %0h  golden %0h", ci,
                     ci < c_nb[ch] ? c_beat[ch * MAX_BEATS + ci] : {PW{1'b0}},
                     ci < e_nb[ck] ? e_beat[e_at[ck] + ci] : {PW{1'b0}});
        end
        if (!same) errors = errors + 1;
      end
    end
  endtask

  // a packet record's fields after its kind, into the sender
  task read_packet;
    begin
      n = $fscanf(fd, "%h %h %h %h %h", h_dest, h_mcast, h_mask, h_info, h_nb);
      if (n != 5 || h_nb > MAX_BEATS) begin
        $display("chip_script: error: a bad packet record in the script");
        $finish;
      end
      for (i = 0; i < h_nb; i = i + 1) begin
        n = $fscanf(fd, "%h", h_beat);
        t_beat[i] = h_beat;
      end
      tx_dest = h_dest[IDW-1:0];
      tx_mcast = h_mcast[0];
      tx_mask = h_mask;
      tx_info = h_info[IW-1:0];
    end
  endtask

  task send_packet;
    begin
      t_nb = h_nb;
      t_at = 0;
      t_busy = 1'b1;
      idle = 0;
      while (t_busy && errors == 0) begin
        tick;
        if (idle > 20000) begin
          $display("chip_script: cycle %0d: the host port took no beat for 20000 cycles", cycles);
          errors = errors + 1;
        end
      end
    end
  endtask

  task finish;
    begin
      for (k = 0; k < EXP_N && errors == 0; k = k + 1)
        if (k < total && !e_done[k]) begin
          $display("chip_script: packet %0d of the golden model (from node address %0d) never reached the host",
                   k, e_src[k]);
          errors = errors + 1;
        end
      $display("chip_script: %0d packets compared, %0d cycles", got, cycles);
      if (errors == 0) $display("chip_script: PASSED");
      else $display("chip_script: FAILED");
      $finish;
    end
  endtask

  initial begin
    clk = 1'b0;
    rst_n = 1'b0;
    tx_valid = 1'b0; tx_last = 1'b0; tx_mcast = 1'b0; rx_ready = 1'b0;
    tx_dest = {IDW{1'b0}}; tx_mask = {NODES{1'b0}}; tx_info = {IW{1'b0}}; tx_data = {PW{1'b0}};
    cycles = 0; got = 0; errors = 0; polls_due = 0; idle = 0; opened = 0; total = 0; t_busy = 1'b0;
    t_nb = 0; t_at = 0; poll_word = 32'd0;
    if (!$value$plusargs("stall=%d", stall)) stall = 0;
    if (!$value$plusargs("seed=%d", seed)) seed = 1;
    if (!$value$plusargs("script=%s", file)) begin
      $display("chip_script: error: no +script=S");
      $finish;
    end
    for (k = 0; k < (1 << IDW); k = k + 1) e_next[k] = 0;
    for (k = 0; k < CH; k = k + 1) c_nb[k] = 0;
    // the expected packets
    fd = $fopen({file, ".exp"}, "r");
    if (fd == 0) begin
      $display("chip_script: error: cannot open the script's .exp file");
      $finish;
    end
    i = 0;
    for (k = 0; k < EXP_N; k = k + 1) begin
      e_done[k] = 1'b0;
      n = $fscanf(fd, "%h %h %h", h_src, h_einfo, h_nb);
      if (n == 3) begin
        e_src[k] = h_src;
        e_info[k] = h_einfo;
        e_nb[k] = h_nb;
        e_at[k] = i;
        for (n = 0; n < e_nb[k]; n = n + 1) begin
          if ($fscanf(fd, "%h", h_beat) != 1 || i >= EXP_BEATS) begin
            $display("chip_script: error: the .exp file ends inside packet %0d", k);
            $finish;
          end
          e_beat[i] = h_beat;
          i = i + 1;
        end
      end else begin
        e_src[k] = {IDW{1'b1}};
        e_nb[k] = -1;
        e_at[k] = 0;
        e_done[k] = 1'b1;
      end
    end
    $fclose(fd);
    fd = $fopen(file, "r");
    if (fd == 0) begin
      $display("chip_script: error: cannot open the script");
      $finish;
    end
    if ($value$plusargs("dump=%s", wfile)) begin
      $dumpfile(wfile);
      $dumpvars(0, dut);
    end
    // reset
    #10;
    rst_n = 1'b1;
    for (k = 0; k < 4; k = k + 1) tick;
    n = $fscanf(fd, "%h", kind);
    while (n == 1 && kind != 0 && errors == 0) begin
      if (kind == 1) begin
        read_packet;
        send_packet;
      end else if (kind == 2) begin
        read_packet;
        n = $fscanf(fd, "%h", h_wmask);
        wmask = h_wmask[31:0];
        poll_word = 32'hffffffff;
        while ((poll_word & wmask) != 0 && errors == 0) begin
          polls_due = 1;
          send_packet;
          idle = 0;
          while (polls_due != 0 && errors == 0) begin
            tick;
            if (idle > 20000) begin
              $display("chip_script: cycle %0d: no reply to a poll of node address %0d", cycles, tx_dest);
              errors = errors + 1;
            end
          end
        end
      end else if (kind == 3) begin
        n = $fscanf(fd, "%h %h", h_total, h_idle);
        total = h_total;
        idle_limit = h_idle;
        idle = 0;
        while ((got < total || opened != 0) && errors == 0) begin
          tick;
          if (idle > idle_limit) begin
            $display("chip_script: cycle %0d: nothing moved for %0d cycles (%0d of %0d packets back)", cycles,
                     idle_limit, got, total);
            errors = errors + 1;
          end
        end
        for (k = 0; k < 20 && errors == 0; k = k + 1) tick;
      end else begin
        $display("chip_script: error: a record of kind %0d in the script", kind);
        $finish;
      end
      n = $fscanf(fd, "%h", kind);
    end
    $fclose(fd);
    finish;
  end
endmodule
