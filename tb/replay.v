// Replays a unit's recorded port vectors under a second simulator (Icarus
// Verilog; docs/flows.md): a harness run with +record=F wrote F (one line a
// cycle: inputs, expected outputs, hex) and F.vh (the declarations, the
// unit's instance and check_ports).  Each cycle the bench applies the inputs
// after the falling edge, compares the outputs just before the rising edge,
// then clocks.  Prints the first mismatches with their cycle and port, then
// "replay: N cycles, M mismatches" and PASSED or FAILED.
// Build: iverilog -g2005 -I DIR_OF_F.vh -DPORTS='"F.vh"' -o sim tb/replay.v <unit files>
// Run:   vvp -n sim +vectors=F
module replay;
  reg clk;
  integer errors;
  integer cycles;
  integer fd;
  integer n;
  reg [8*1024-1:0] file;
`include `PORTS
  reg [IN_W-1:0] in_next;
  reg [OUT_W-1:0] exp_next;
  initial begin
    errors = 0;
    cycles = 0;
    clk = 1'b0;
    if (!$value$plusargs("vectors=%s", file)) begin
      $display("replay: error: no +vectors=F");
      $finish;
    end
    fd = $fopen(file, "r");
    if (fd == 0) begin
      $display("replay: error: cannot open the vectors file");
      $finish;
    end
    // inputs start unknown: the first line's reset is a falling edge
    #10;
    n = $fscanf(fd, "%h %h\n", in_next, exp_next);
    while (n == 2) begin
      in_v = in_next;
      exp_v = exp_next;
      #4;
      check_ports(cycles);
      clk = 1'b1;
      #5;
      clk = 1'b0;
      #1;
      cycles = cycles + 1;
      n = $fscanf(fd, "%h %h\n", in_next, exp_next);
    end
    $fclose(fd);
    $display("replay: %0d cycles, %0d mismatches", cycles, errors);
    if (errors == 0 && cycles > 0) $display("replay: PASSED");
    else $display("replay: FAILED");
    $finish;
  end
endmodule
